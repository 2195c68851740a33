//! The handler: the part of a server that decides what to answer.

use crate::{Request, Response};

/// What a handler returns: `Ok(())` once it has written a response, or an
/// error. An [`HttpError`](crate::HttpError) or a
/// [`DecodeError`](crate::DecodeError) becomes a `4xx` answer with its
/// message; any other error becomes `500 Internal Server Error` and a line
/// in the log.
///
/// Thanks to `?`, a handler can pass on errors without a `match`:
///
/// ```
/// use http_server::{HandlerResult, Request, Response, parse_qs};
///
/// fn answer(request: &mut Request, response: &mut Response) -> HandlerResult {
///     let body = request.read_body()?; // a broken body: 400
///     let form = parse_qs(&body)?;     // a bad %-escape: 400
///     response.send_response(200);
///     response.end_headers();
///     Ok(())
/// }
/// ```
pub type HandlerResult = Result<(), Box<dyn std::error::Error + Send + Sync>>;

/// Answers requests: one method per HTTP method, like Python's
/// `BaseHTTPRequestHandler` with its `do_GET`, `do_POST`, ...
///
/// Implement the methods your server supports; the others answer
/// `501 Not Implemented`. `do_head` answers with what `do_get` would send,
/// minus the body, unless you write your own.
///
/// One handler value serves every connection, each on its own thread, at
/// the same time: that is why the methods take `&self`, and why the trait
/// requires `Send + Sync`. Data that requests change (a list of messages,
/// say) goes in a `Mutex`.
///
/// ```
/// use http_server::{Handler, HandlerResult, Request, Response, ThreadingHttpServer};
/// use std::io::Write;
///
/// struct Hello;
///
/// impl Handler for Hello {
///     fn do_get(&self, _request: &mut Request, response: &mut Response) -> HandlerResult {
///         response.send_response(200);
///         response.send_header("Content-Type", "text/plain; charset=utf-8");
///         response.end_headers();
///         response.write_all("Hello, HTTP!\n".as_bytes())?;
///         Ok(())
///     }
/// }
///
/// let server = ThreadingHttpServer::bind("127.0.0.1:0")?.spawn(Hello);
/// let get = http_server::send_raw(server.address(), b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")?;
/// assert!(get.starts_with("HTTP/1.1 200 OK\r\n"));
/// assert!(get.ends_with("\r\n\r\nHello, HTTP!\n"));
///
/// let post = http_server::send_raw(server.address(), b"POST / HTTP/1.1\r\nHost: x\r\n\r\n")?;
/// assert!(post.starts_with("HTTP/1.1 501 Not Implemented\r\n"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub trait Handler: Send + Sync + 'static {
    /// Answers `GET`: send a page.
    ///
    /// ```
    /// use http_server::{Handler, HandlerResult, Request, Response};
    /// use http_server::test::{TestRequest, call};
    /// use std::io::Write;
    ///
    /// struct Pages;
    ///
    /// impl Handler for Pages {
    ///     fn do_get(&self, request: &mut Request, response: &mut Response) -> HandlerResult {
    ///         if request.path() != "/" {
    ///             response.send_error(404, "there is only /");
    ///             return Ok(());
    ///         }
    ///         response.send_response(200);
    ///         response.send_header("Content-Type", "text/plain; charset=utf-8");
    ///         response.end_headers();
    ///         response.write_all(b"the home page")?;
    ///         Ok(())
    ///     }
    /// }
    ///
    /// let reply = call(&Pages, TestRequest::get("/elsewhere"));
    /// assert_eq!(reply.status(), 404);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    fn do_get(&self, request: &mut Request, response: &mut Response) -> HandlerResult {
        not_implemented(request, response)
    }

    /// Answers `HEAD`: the headers a `GET` would get, without the body.
    ///
    /// The default runs `do_get` and the server drops the body, keeping its
    /// `Content-Length`; there is rarely a reason to write your own.
    ///
    /// ```
    /// use http_server::{Handler, HandlerResult, Request, Response};
    /// use http_server::test::{TestRequest, call};
    /// use std::io::Write;
    ///
    /// struct Hello;
    ///
    /// impl Handler for Hello {
    ///     fn do_get(&self, request: &mut Request, response: &mut Response) -> HandlerResult {
    ///         let _ = request;
    ///         response.send_response(200);
    ///         response.end_headers();
    ///         response.write_all(b"Hello")?;
    ///         Ok(())
    ///     }
    /// }
    ///
    /// let reply = call(&Hello, TestRequest::head("/"));
    /// assert_eq!(reply.header("Content-Length"), Some("5"));
    /// assert!(reply.body().is_empty()); // and no body
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    fn do_head(&self, request: &mut Request, response: &mut Response) -> HandlerResult {
        self.do_get(request, response)
    }

    /// Answers `POST`: take in the data in the body.
    ///
    /// ```
    /// use http_server::{Handler, HandlerResult, Request, Response};
    /// use http_server::test::{TestRequest, call};
    /// use std::io::Write;
    ///
    /// struct Greeter;
    ///
    /// impl Handler for Greeter {
    ///     fn do_post(&self, request: &mut Request, response: &mut Response) -> HandlerResult {
    ///         let form = http_server::parse_qs(request.read_body()?)?;
    ///         let name = form.get("name").unwrap_or("stranger");
    ///         response.send_response(200);
    ///         response.end_headers();
    ///         write!(response, "Hello, {name}!")?;
    ///         Ok(())
    ///     }
    /// }
    ///
    /// let reply = call(&Greeter, TestRequest::post("/").form("name=Ada"));
    /// assert_eq!(reply.body_text(), "Hello, Ada!");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    fn do_post(&self, request: &mut Request, response: &mut Response) -> HandlerResult {
        not_implemented(request, response)
    }

    /// Answers `PUT`: store the body at this path.
    ///
    /// ```
    /// use http_server::{Handler, HandlerResult, Request, Response};
    /// use http_server::test::{TestRequest, call};
    /// use std::io::Write;
    ///
    /// struct Store;
    ///
    /// impl Handler for Store {
    ///     fn do_put(&self, request: &mut Request, response: &mut Response) -> HandlerResult {
    ///         let body = request.read_body()?;
    ///         // ... keep `body` under request.path() ...
    ///         response.send_response(201);
    ///         response.end_headers();
    ///         write!(response, "stored {} bytes at {}", body.len(), request.path())?;
    ///         Ok(())
    ///     }
    /// }
    ///
    /// let reply = call(&Store, TestRequest::new("PUT", "/notes/1").body("hi"));
    /// assert_eq!(reply.status(), 201);
    /// assert_eq!(reply.body_text(), "stored 2 bytes at /notes/1");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    fn do_put(&self, request: &mut Request, response: &mut Response) -> HandlerResult {
        not_implemented(request, response)
    }

    /// Answers `DELETE`: remove what is at this path.
    ///
    /// ```
    /// use http_server::{Handler, HandlerResult, Request, Response};
    /// use http_server::test::{TestRequest, call};
    /// use std::io::Write;
    ///
    /// struct Remove;
    ///
    /// impl Handler for Remove {
    ///     fn do_delete(&self, request: &mut Request, response: &mut Response) -> HandlerResult {
    ///         let _ = request.path(); // ... forget what is stored there ...
    ///         response.send_response(204); // done, and nothing to say
    ///         response.end_headers();
    ///         Ok(())
    ///     }
    /// }
    ///
    /// let reply = call(&Remove, TestRequest::new("DELETE", "/notes/1"));
    /// assert_eq!(reply.status(), 204);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    fn do_delete(&self, request: &mut Request, response: &mut Response) -> HandlerResult {
        not_implemented(request, response)
    }

    /// Answers `PATCH`: change part of what is at this path.
    ///
    /// ```
    /// use http_server::{Handler, HandlerResult, Request, Response};
    /// use http_server::test::{TestRequest, call};
    /// use std::io::Write;
    ///
    /// struct Edit;
    ///
    /// impl Handler for Edit {
    ///     fn do_patch(&self, request: &mut Request, response: &mut Response) -> HandlerResult {
    ///         let change = request.read_body()?;
    ///         response.send_response(200);
    ///         response.end_headers();
    ///         write!(response, "applied {} bytes of changes", change.len())?;
    ///         Ok(())
    ///     }
    /// }
    ///
    /// let reply = call(&Edit, TestRequest::new("PATCH", "/notes/1").body("abc"));
    /// assert_eq!(reply.body_text(), "applied 3 bytes of changes");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    fn do_patch(&self, request: &mut Request, response: &mut Response) -> HandlerResult {
        not_implemented(request, response)
    }

    /// Answers `OPTIONS`: say what this path supports.
    ///
    /// ```
    /// use http_server::{Handler, HandlerResult, Request, Response};
    /// use http_server::test::{TestRequest, call};
    /// use std::io::Write;
    ///
    /// struct Describe;
    ///
    /// impl Handler for Describe {
    ///     fn do_options(&self, request: &mut Request, response: &mut Response) -> HandlerResult {
    ///         let _ = request;
    ///         response.send_response(204);
    ///         response.send_header("Allow", "GET, HEAD, OPTIONS");
    ///         response.end_headers();
    ///         Ok(())
    ///     }
    /// }
    ///
    /// let reply = call(&Describe, TestRequest::new("OPTIONS", "*"));
    /// assert_eq!(reply.header("Allow"), Some("GET, HEAD, OPTIONS"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    fn do_options(&self, request: &mut Request, response: &mut Response) -> HandlerResult {
        not_implemented(request, response)
    }
}

/// The answer to a method the handler does not implement.
pub(crate) fn not_implemented(request: &Request, response: &mut Response) -> HandlerResult {
    let method = request.method();
    response.send_error(
        501,
        &format!("this server does not support the {method} method"),
    );
    Ok(())
}
