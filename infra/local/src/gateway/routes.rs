//! Route matching the way API Gateway does it: exact segments, `{param}`, `{proxy+}`.

use std::collections::HashMap;

use tandem_api::routes::{HandlerFn, http_function};

use crate::template::{DEFAULT_ROUTE, Template, TemplateError};

#[derive(Debug, thiserror::Error)]
pub enum RouteTableError {
    #[error(transparent)]
    Template(#[from] TemplateError),
    #[error(
        "template.yaml routes {route} to function {function}, which has no handler in tandem_api::routes::HTTP_FUNCTIONS"
    )]
    NoHandler { route: String, function: String },
}

enum Segment {
    Literal(String),
    Param(String),
    Greedy(String),
}

struct Route {
    method: String,
    segments: Vec<Segment>,
    route_key: String,
    function: &'static str,
    handler: HandlerFn,
}

/// A matched request: the route key, the path parameters and the function to run.
pub struct Matched {
    pub route_key: String,
    pub path_parameters: HashMap<String, String>,
    pub function: &'static str,
    pub handler: HandlerFn,
}

pub struct RouteTable {
    routes: Vec<Route>,
    /// The `$default` route: what no other route matches, as in API Gateway.
    default: Option<Route>,
}

impl RouteTable {
    pub fn from_template() -> Result<Self, RouteTableError> {
        let mut routes = Vec::new();
        let mut default = None;
        for route in Template::load()?.http_routes()? {
            let route_key = format!("{} {}", route.method, route.path);
            let function = http_function(&route.function).ok_or_else(|| RouteTableError::NoHandler {
                route: route_key.clone(),
                function: route.function.clone(),
            })?;
            let is_default = route.path == DEFAULT_ROUTE;
            let entry = Route {
                method: route.method,
                segments: parse(&route.path),
                route_key: if is_default { DEFAULT_ROUTE.to_owned() } else { route_key },
                function: function.name,
                handler: function.handler,
            };
            if is_default {
                default = Some(entry);
            } else {
                routes.push(entry);
            }
        }
        // Literal segments win over parameters, as in API Gateway.
        routes
            .sort_by_key(|r| std::cmp::Reverse(r.segments.iter().filter(|s| matches!(s, Segment::Literal(_))).count()));
        Ok(Self { routes, default })
    }

    pub fn find(&self, method: &str, path: &str) -> Option<Matched> {
        let parts: Vec<&str> = path.trim_start_matches('/').split('/').collect();
        let matched = self.routes.iter().filter(|r| r.method == method || r.method == "ANY").find_map(|route| {
            let path_parameters = match_segments(&route.segments, &parts)?;
            Some(Matched {
                route_key: route.route_key.clone(),
                path_parameters,
                function: route.function,
                handler: route.handler,
            })
        });
        matched.or_else(|| {
            self.default.as_ref().map(|route| Matched {
                route_key: route.route_key.clone(),
                path_parameters: HashMap::new(),
                function: route.function,
                handler: route.handler,
            })
        })
    }
}

fn parse(path: &str) -> Vec<Segment> {
    path.trim_start_matches('/')
        .split('/')
        .map(|segment| match segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
            Some(name) => match name.strip_suffix('+') {
                Some(greedy) => Segment::Greedy(greedy.to_owned()),
                None => Segment::Param(name.to_owned()),
            },
            None => Segment::Literal(segment.to_owned()),
        })
        .collect()
}

fn match_segments(segments: &[Segment], parts: &[&str]) -> Option<HashMap<String, String>> {
    let mut parameters = HashMap::new();
    for (index, segment) in segments.iter().enumerate() {
        match segment {
            Segment::Greedy(name) => {
                let rest = parts.get(index..)?.join("/");
                if rest.is_empty() {
                    return None;
                }
                parameters.insert(name.clone(), rest);
                return Some(parameters);
            }
            Segment::Literal(literal) => {
                if parts.get(index)? != literal {
                    return None;
                }
            }
            Segment::Param(name) => {
                let value = parts.get(index).filter(|v| !v.is_empty())?;
                parameters.insert(name.clone(), (*value).to_owned());
            }
        }
    }
    (parts.len() == segments.len()).then_some(parameters)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_literals_params_and_greedy_segments() {
        let route = parse("/v1/blocks/{userId}");
        assert_eq!(match_segments(&route, &["v1", "blocks", "u1"]).unwrap()["userId"], "u1");
        assert!(match_segments(&route, &["v1", "blocks"]).is_none());
        assert!(match_segments(&route, &["v1", "blocks", "u1", "x"]).is_none());
        let greedy = parse("/files/{path+}");
        assert_eq!(match_segments(&greedy, &["files", "a", "b"]).unwrap()["path"], "a/b");
    }

    #[test]
    fn every_template_route_has_a_handler() {
        let table = RouteTable::from_template().unwrap();
        assert!(table.find("POST", "/v1/auth/login").is_some());
        assert_eq!(table.find("GET", "/v1/auth/login").map(|m| m.route_key), Some(DEFAULT_ROUTE.to_owned()));
        assert_eq!(table.find("GET", "/v1/nowhere").map(|m| m.function), Some("system-not-found"));
    }
}
