"""Expands template.yaml with SAM's own transform, offline, and checks the resource count.

CloudFormation refuses a stack of more than 500 resources, and SAM's transform adds several
per function (role, permission or event source, rule), so the count that matters is the
expanded one. Fails when it exceeds BUDGET: 300 leaves room for 60 more functions at the
3.3 resources each that today's mix costs (docs/performance.md).

    .local/deploy-tools/bin/python scripts/stack-budget.py [template.yaml]
"""

import collections
import os
import sys

BUDGET = 300
CLOUDFORMATION_LIMIT = 500
PER_FUNCTION = {
    "AWS::Lambda::Function",
    "AWS::IAM::Role",
    "AWS::Lambda::Permission",
    "AWS::Events::Rule",
    "AWS::Lambda::EventSourceMapping",
    "AWS::Lambda::EventInvokeConfig",
    "AWS::ApiGatewayV2::Integration",
    "AWS::ApiGatewayV2::Route",
}

os.environ.setdefault("AWS_DEFAULT_REGION", "eu-west-1")

from samcli.yamlhelper import yaml_parse  # noqa: E402  (SAM CLI's own CloudFormation YAML reader)
from samtranslator.translator.transform import transform  # noqa: E402


class NoManagedPolicies:
    """The transform asks for AWS managed policy ARNs only when a function names one."""

    def load(self):
        return {}


def main() -> int:
    path = sys.argv[1] if len(sys.argv) > 1 else "template.yaml"
    with open(path, encoding="utf-8") as file:
        template = yaml_parse(file.read())
    functions = 0
    for resource in template["Resources"].values():
        if resource["Type"] == "AWS::Serverless::Function":
            # What `sam deploy` puts there after uploading the built bootstrap.
            resource["Properties"]["CodeUri"] = "s3://deploy-bucket/function.zip"
            functions += 1
    expanded = transform(template, {}, NoManagedPolicies())
    resources = expanded["Resources"]
    by_type = collections.Counter(r["Type"] for r in resources.values())
    count = len(resources)
    # What each function brings with it (its role, its API permission or event source, its
    # schedule's rule and invoke config, a WebSocket route and integration); alarms and the
    # rest are shared.
    scaled = sum(n for kind, n in by_type.items() if kind in PER_FUNCTION)
    per_function = scaled / max(functions, 1)
    room = (CLOUDFORMATION_LIMIT - count) / per_function
    print(f"expanded stack: {count} resources for {functions} functions "
          f"(budget {BUDGET}, CloudFormation's limit {CLOUDFORMATION_LIMIT})")
    for kind, n in by_type.most_common():
        print(f"  {n:4d} {kind}")
    print(f"  {per_function:.2f} resources per function today ({scaled} of {count}); an HTTP route costs 3:")
    print(f"  room for {room:.0f} more functions of today's mix before CloudFormation's limit")
    if count > BUDGET:
        print(f"over the budget by {count - BUDGET}: see docs/performance.md (room to grow)")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
