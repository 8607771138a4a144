//! Texts written from `{name}` templates, and the template and parameters a text was
//! written from (issue 14, one language per page): a use case writes its English from a
//! template of its code; a page that keeps only the English (a quarantined row's reason)
//! recognises the code and its parameters and writes the text again in its language.

use std::collections::BTreeMap;

/// The code of the template of `templates` (`(code, template)` pairs) that `text` is
/// written from, with its parameters: `"\"lots\" is not a number"` is
/// `("quantity.not_a_number", {value: "\"lots\""})` of `{value} is not a number`. When
/// several match (`{code} already appears` and `meter {id} already appears`), the one with
/// the most literal text, the most specific, wins. A parameter takes the shortest text that
/// lets the rest of the template match; a text no template wrote is `None`.
pub fn recognise<'a>(
    text: &str,
    templates: &[(&'a str, &str)],
) -> Option<(&'a str, BTreeMap<String, String>)> {
    let literal = |template: &str| -> usize {
        pieces(template)
            .iter()
            .map(|p| match p {
                Piece::Text(t) => t.len(),
                Piece::Param(_) => 0,
            })
            .sum()
    };
    templates
        .iter()
        .filter_map(|(code, template)| {
            let mut args = BTreeMap::new();
            matches(text, &pieces(template), &mut args).then(|| (literal(template), *code, args))
        })
        .max_by_key(|(literal, _, _)| *literal)
        .map(|(_, code, args)| (code, args))
}

/// `template` with each `{name}` replaced by its value in `args` (a name without a value
/// stays as written): the text [`recognise`] gives back the code and parameters of.
pub fn fill(template: &str, args: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(template.len());
    for p in pieces(template) {
        match p {
            Piece::Text(t) => out.push_str(t),
            Piece::Param(name) => match args.iter().find(|(k, _)| *k == name) {
                Some((_, v)) => out.push_str(v),
                None => {
                    out.push('{');
                    out.push_str(name);
                    out.push('}');
                }
            },
        }
    }
    out
}

/// The text of `code`'s template in `templates` with `args` filled in ([`fill`]): how an
/// importer writes a reason from its table. The code itself when the table has none (each
/// table's test recognises a sample of every reason, so that cannot go unnoticed).
pub fn write(templates: &[(&str, &str)], code: &str, args: &[(&str, &str)]) -> String {
    match templates.iter().find(|(c, _)| *c == code) {
        Some((_, template)) => fill(template, args),
        None => code.to_string(),
    }
}

/// A template as literal text and `{name}` parameters, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Piece<'t> {
    Text(&'t str),
    Param(&'t str),
}

fn pieces(template: &str) -> Vec<Piece<'_>> {
    let mut out = Vec::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let Some(close) = rest[open..].find('}') else {
            break;
        };
        if open > 0 {
            out.push(Piece::Text(&rest[..open]));
        }
        out.push(Piece::Param(&rest[open + 1..open + close]));
        rest = &rest[open + close + 1..];
    }
    if !rest.is_empty() {
        out.push(Piece::Text(rest));
    }
    out
}

fn matches(text: &str, pieces: &[Piece<'_>], args: &mut BTreeMap<String, String>) -> bool {
    match pieces {
        [] => text.is_empty(),
        [Piece::Text(t), rest @ ..] => text
            .strip_prefix(t)
            .is_some_and(|after| matches(after, rest, args)),
        [Piece::Param(name)] => bind(name, text, args),
        [Piece::Param(name), Piece::Text(t), rest @ ..] => {
            // Each place the next literal text occurs, nearest first.
            for (at, _) in text.match_indices(t) {
                let mut tried = args.clone();
                if bind(name, &text[..at], &mut tried)
                    && matches(&text[at + t.len()..], rest, &mut tried)
                {
                    *args = tried;
                    return true;
                }
            }
            false
        }
        // Two parameters side by side cannot be told apart.
        [Piece::Param(_), Piece::Param(_), ..] => false,
    }
}

/// Binds `name` to `value`, unless the template used it before with another value.
fn bind(name: &str, value: &str, args: &mut BTreeMap<String, String>) -> bool {
    match args.get(name) {
        Some(v) => v == value,
        None => {
            args.insert(name.to_string(), value.to_string());
            true
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: &[(&str, &str)] = &[
        ("number", "{value} is not a number"),
        (
            "conflict",
            "conflicts with row {row} of this file for {key}",
        ),
        ("range", "{value} is not between {low} and {high}"),
        ("any", "{code} already appears"),
        ("meter", "meter {id} already appears"),
    ];

    #[test]
    fn a_filled_template_is_recognised_with_its_parameters() {
        let text = fill(T[2].1, &[("value", "12"), ("low", "0"), ("high", "10")]);
        assert_eq!(text, "12 is not between 0 and 10");
        assert_eq!(
            recognise(&text, T),
            Some((
                "range",
                args(&[("value", "12"), ("low", "0"), ("high", "10")])
            ))
        );
        assert_eq!(fill("{a} and {b}", &[("a", "x")]), "x and {b}");
        assert_eq!(write(T, "number", &[("value", "7")]), "7 is not a number");
        assert_eq!(write(T, "none", &[]), "none");
    }

    fn args(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn a_text_gives_back_its_code_and_parameters() {
        assert_eq!(
            recognise("\"lots\" is not a number", T),
            Some(("number", args(&[("value", "\"lots\"")])))
        );
        assert_eq!(
            recognise("conflicts with row 4 of this file for X 2024-01 coal", T),
            Some(("conflict", args(&[("row", "4"), ("key", "X 2024-01 coal")])))
        );
        // A parameter holding the text that follows it: the rest still matches.
        assert_eq!(
            recognise("a is not between b is not between c and d", T),
            Some((
                "range",
                args(&[("value", "a"), ("low", "b is not between c"), ("high", "d")])
            ))
        );
        // The most specific template wins, wherever it is listed.
        assert_eq!(
            recognise("meter M-1 already appears", T),
            Some(("meter", args(&[("id", "M-1")])))
        );
        assert_eq!(recognise("something else", T), None);
        assert_eq!(recognise("\"x\" is not a number!", T), None);
    }
}
