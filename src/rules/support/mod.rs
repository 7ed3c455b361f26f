//! What rules share, reached by one path (`super::support`): how findings
//! name things, load-balancer fixes, pod placement, and the predicates other
//! rules' fixes declare with. A rule imports from here, never from another
//! rule.

mod common;
mod fields;
pub mod fix_ids;
mod lb;
mod placement;
mod predicates;
mod replicas;

pub use common::*;
pub use fields::*;
pub use lb::*;
pub use placement::*;
pub use predicates::*;
pub use replicas::*;
