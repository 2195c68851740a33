//! Placeholder: the names service is being written.
fn main() {}
