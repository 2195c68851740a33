//! Step b: the board's page and its form.

use super::*;
use crate::kit::html::{forms, is_labelled, title_of};

pub(super) fn serves_an_html_page(session: &mut Session) -> CheckResult {
    session
        .get("/")?
        .expect_status(
            200,
            "do_get sends the page: keep send_response(200) before the headers.",
        )?
        .expect_media_type(
            "text/html",
            "Send Content-type: text/html; charset=utf-8, or a browser shows the page's source \
             instead of drawing it.",
        )?
        .expect(
            |reply| reply.charset().as_deref() == Some("utf-8"),
            "Content-Type: text/html; charset=utf-8",
            "Keep the charset: without charset=utf-8 a browser may show é as Ã©.",
        )?
        .expect(
            |reply| title_of(&reply.body).as_deref() == Some("Message Board"),
            "a page with <title>Message Board</title>",
            "The page's title (the text on the browser's tab) should be Message Board: it is in \
             board_page.",
        )?;
    Ok(())
}

pub(super) fn page_has_the_form(session: &mut Session) -> CheckResult {
    let reply = session.get("/")?;
    let html = &reply.body;
    let expected = "<form method=\"post\" action=\"/\"> with a <textarea name=\"message\">, \
                    its <label>, and a submit button inside";
    let Some(form) = forms(html).into_iter().next() else {
        return Err(reply.fail(
            expected,
            "The page has no <form> yet: write it in the FORM constant, in TODO(b).",
        ));
    };
    let enctype = start_tags(html, "form")[0]
        .attribute("enctype")
        .map(str::to_owned);
    // The first textarea named message after the form starts: the form's
    // own, if it has one.
    let form_start = start_tags(html, "form")[0].end;
    let textarea = start_tags(html, "textarea")
        .into_iter()
        .find(|tag| tag.start >= form_start && tag.attribute("name") == Some("message"));
    reply
        .expect(
            |_| form.method == "post",
            expected,
            "Without method=\"post\" the browser sends the message in the URL of a GET \
             (/?message=...), not in the body of a POST.",
        )?
        .expect(
            |_| {
                enctype.as_deref().is_none_or(|enctype| {
                    enctype.eq_ignore_ascii_case("application/x-www-form-urlencoded")
                })
            },
            expected,
            format!(
                "parse_qs cannot read enctype=\"{}\", so every post would get 400: leave enctype \
                 out (multipart/form-data is for uploading files).",
                enctype.as_deref().unwrap_or("")
            ),
        )?
        .expect(
            |_| matches!(form.action.as_str(), "" | "/"),
            expected,
            "The form's action is the path it is sent to: the board is at /, so action=\"/\".",
        )?
        .expect(
            |_| {
                form.fields
                    .iter()
                    .any(|field| field.name == "message" && field.tag == "textarea")
            },
            expected,
            "The form needs a <textarea name=\"message\">: the name is what the text travels \
             under (message=...), and what do_post looks for.",
        )?
        .expect(
            |_| textarea.is_some_and(|textarea| is_labelled(html, &textarea)),
            expected,
            "Tie a label to the box: <label for=\"message\">Your message</label> and \
             id=\"message\" on the textarea, or a screen reader announces a box without a name.",
        )?
        .expect(
            |_| form.has_submit(),
            expected,
            "The form needs a button to send it: <button type=\"submit\">Post it!</button>.",
        )?;
    Ok(())
}

pub(super) fn no_favicon(session: &mut Session) -> CheckResult {
    session.get("/favicon.ico")?.expect_status(
        404,
        "Browsers ask for /favicon.ico by themselves, for the tab's icon: keep the starter's \
         lines at the top of do_get that answer it with 404.",
    )?;
    Ok(())
}
