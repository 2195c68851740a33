//! The course checks.
