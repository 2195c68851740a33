//! Step a: the list page, made from the templates.

use super::*;
use crate::kit::html::{first_tag_with_attribute, list_items};

/// The starter's sample todos, listed until step b stores todos.
const SAMPLE_OPEN: &str = "Sample: storing todos is not written yet (step b)";
const SAMPLE_DONE: &str = "Sample: a <b>done</b> todo, its tags shown as typed";

pub(super) fn serves_the_list_page(session: &mut Session) -> CheckResult {
    database(session)?;
    get_page(session)?
        .expect_media_type(
            "text/html",
            "The page is HTML: send_list sends it with text/html; charset=utf-8. Keep that line.",
        )?
        .expect_page_title(
            "Todo List",
            "The title comes from the layout (templates/layout.html): LIST_TEMPLATE starts with \
             {% extends \"layout.html\" %} and puts its HTML in {% block content %}.",
        )?;
    Ok(())
}

pub(super) fn lists_every_todo(session: &mut Session) -> CheckResult {
    database(session)?;
    let run = marker();
    let open_title = format!("Open todo {run}");
    let (open_title, done_title, shown) = match try_create(session, &open_title)? {
        Some(_) => {
            let done = create(session, &format!("Done todo {run}"))?;
            complete(session, &done)?;
            (open_title, format!("Done todo {run}"), run.as_str())
        }
        None => (SAMPLE_OPEN.to_owned(), SAMPLE_DONE.to_owned(), "Sample:"),
    };
    // Found by their marker (or "Sample:"), which escaping leaves as it is.
    let around = [shown, THE_LIST[0], THE_LIST[1], THE_LIST[2]];
    let completed = |page: &Reply, title: &str| {
        list_item_showing(&page.body, title).map(|item| item.has_class("completed"))
    };
    get_page(session)?
        .expect_on_page(
            |page| completed(page, &open_title).is_some(),
            &around,
            format!("an <li> that shows {open_title:?}"),
            "The page has no <li> with this todo's title: in LIST_TEMPLATE, write \
             {% for todo in todos %}<li>{{ todo.title }}</li>{% endfor %} inside a <ul>.",
        )?
        .expect_on_page(
            |page| completed(page, &done_title).is_some(),
            &around,
            format!("an <li> that shows {done_title:?}"),
            "Only some todos are on the page: the for loop should show every one of `todos`.",
        )?
        .expect_on_page(
            |page| {
                completed(page, &open_title) == Some(false)
                    && completed(page, &done_title) == Some(true)
            },
            &around,
            format!(
                "<li class=\"completed\"> for {done_title:?}, and a plain <li> for {open_title:?}"
            ),
            "Mark done todos only: <li{% if todo.completed %} class=\"completed\"{% endif %}>.",
        )?;
    if shown == run.as_str() {
        empty_list_has_an_item(session)?;
    }
    Ok(())
}

/// With no todo at all, the list still says so: the `{% else %}` item.
/// Only once the store deletes (Store::delete_all); until then step b's
/// checks say what is missing.
fn empty_list_has_an_item(session: &mut Session) -> CheckResult {
    if api(session, "DELETE", "/todos", None)?.status != 204 {
        return Ok(());
    }
    get_page(session)?.expect_on_page(
        |page| !list_items(&page.body).is_empty(),
        &THE_LIST,
        "with no todos (after DELETE /todos), an <li> that says the list is empty",
        "An empty list should say so, not show nothing: put {% else %} before {% endfor %}, \
         and after it an <li> such as <li class=\"empty\">Nothing to do.</li>.",
    )?;
    Ok(())
}

pub(super) fn titles_are_escaped(session: &mut Session) -> CheckResult {
    database(session)?;
    let tag = marker();
    let title = format!("<script>alert(\"{tag}\")</script> & <b>bold</b>");
    let made = try_create(session, &title)?.is_some();
    let (title, raw) = if made {
        (title, format!("<script>alert(\"{tag}\")"))
    } else {
        (SAMPLE_DONE.to_owned(), "<b>done</b>".to_owned())
    };
    get_page(session)?.expect_on_page(
        |page| !page.body.contains(&raw) && text_of_html(&page.body).contains(&title),
        &[&raw, &tag, THE_LIST[0], THE_LIST[1]],
        format!("the title {title:?} shown as text: &lt;script&gt;... in the HTML"),
        "Let the template escape: {{ todo.title }} in a template whose name ends in .html is \
         escaped for you. Do not add |safe, and do not build the page with format!.",
    )?;
    if !made {
        return Ok(());
    }
    // Escaping keeps a title inside a quoted attribute, not an unquoted
    // one: spaces and = are not escaped.
    create(session, &format!("x onmouseover=alert({tag}) {tag}"))?;
    get_page(session)?.expect_on_page(
        |page| first_tag_with_attribute(&page.body, "onmouseover").is_none(),
        &["onmouseover", THE_LIST[0]],
        "the title as text and in quoted attributes only: no tag with an onmouseover attribute",
        "A value in an attribute must be in quotes: title=\"{{ todo.title }}\", never \
         title={{ todo.title }}. Autoescaping escapes quotes and <, not spaces or =, so in an \
         unquoted attribute the title's words become attributes of their own, and \
         onmouseover=... a script in every visitor's browser.",
    )?;
    Ok(())
}
