//! What operators run against a deployment: `smoke` (the deployed API answers) beside the
//! binary's table commands.

pub mod smoke;
