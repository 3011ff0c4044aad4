//! One module per subcommand.

pub mod alert;
pub mod bench;
pub mod check;
pub mod eval;
pub mod evidence;
pub mod hunt;
pub mod keys;
pub mod report;
pub mod rules;
pub mod scan;
pub mod serve;
pub mod testdata;
pub mod train;
