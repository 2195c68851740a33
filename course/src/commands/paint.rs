//! Colours for a terminal, and printing that never panics.

use std::io::{self, IsTerminal, Write};

/// Prints a line on stdout. A closed pipe (`cargo course list | head`)
/// ends the program quietly, where `println!` would panic.
macro_rules! say {
    () => { $crate::commands::paint::write_out(format_args!("\n")) };
    ($($arg:tt)*) => { $crate::commands::paint::write_out(format_args!("{}\n", format_args!($($arg)*))) };
}

/// Prints on stdout without a newline, like `print!`, but never panics.
macro_rules! say_part {
    ($($arg:tt)*) => { $crate::commands::paint::write_out(format_args!($($arg)*)) };
}

pub(crate) use {say, say_part};

/// Writes to stdout; on a closed pipe, ends the program without a word.
pub fn write_out(text: std::fmt::Arguments<'_>) {
    let mut out = io::stdout().lock();
    if out.write_fmt(text).and_then(|()| out.flush()).is_err() {
        std::process::exit(0);
    }
}

/// Colours for a terminal, nothing for a file or a pipe (or with NO_COLOR).
pub struct Paint {
    on: bool,
}

impl Paint {
    pub fn new() -> Paint {
        Paint {
            on: io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
        }
    }

    pub fn color(&self, code: &str, text: &str) -> String {
        if self.on {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_owned()
        }
    }

    pub fn good(&self, text: &str) -> String {
        self.color("32", text)
    }

    pub fn bad(&self, text: &str) -> String {
        self.color("31", text)
    }

    pub fn dim(&self, text: &str) -> String {
        self.color("2", text)
    }

    pub fn bold(&self, text: &str) -> String {
        self.color("1", text)
    }
}
