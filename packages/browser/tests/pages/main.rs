//! Every page of the course in headless Chromium, one file per lesson.
//! A case is one `#[test]` that calls `page_case` (see the README,
//! "Browser tests", for how to add one); `layout` holds what several
//! lessons' cases check alike about a page's make-up.

mod layout;
mod lesson0;
mod lesson1;
mod lesson10;
mod lesson2;
mod lesson4;
mod lesson5;
mod lesson6;
mod lesson7;
mod lesson8;
mod lesson9;
