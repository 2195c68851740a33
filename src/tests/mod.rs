//! Tests that span many files of the module (each file's own tests sit at
//! its end).

mod fuzz;
mod response;
mod streams;
