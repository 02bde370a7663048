//! The crate README's examples, run: every `$ curl …` line against a sandbox at the
//! README's `--now 2024-01-03T12:00:00Z` must print the line under it, and the
//! `tv-sandbox --incidents` example must print what is shown. So the README's numbers
//! cannot drift from what the sandbox answers.

use std::process::Command;

use crate::http::common::api;

const README: &str = include_str!("../../../README.md");

/// The base URL the README's examples use.
const README_BASE: &str = "http://127.0.0.1:8642";

/// Words of a shell line, with single quotes grouping (all the README uses).
fn shell_words(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut quoted = false;
    let mut any = false;
    for c in line.chars() {
        match c {
            '\'' => {
                quoted = !quoted;
                any = true;
            }
            c if c.is_whitespace() && !quoted => {
                if any {
                    words.push(std::mem::take(&mut word));
                    any = false;
                }
            }
            c => {
                word.push(c);
                any = true;
            }
        }
    }
    if any {
        words.push(word);
    }
    words
}

/// `(url, form pairs)` of a README curl command line.
fn parse_curl(line: &str) -> (String, Vec<(String, String)>) {
    let words = shell_words(line.trim_start_matches("$ curl "));
    let mut words = words.iter();
    let mut url = String::new();
    let mut form = Vec::new();
    while let Some(word) = words.next() {
        if word == "-d" {
            let pair = words.next().map(String::as_str).unwrap_or_default();
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            form.push((k.to_owned(), v.to_owned()));
        } else {
            url = word.clone();
        }
    }
    (url, form)
}

#[tokio::test]
async fn the_curl_examples_print_what_the_readme_shows() {
    let api = api().await;
    let base = api
        .sandbox
        .base_url()
        .trim_end_matches("/api-v2")
        .to_owned();
    let lines: Vec<&str> = README.lines().collect();
    let mut checked = 0;
    for (i, line) in lines.iter().enumerate() {
        if !line.starts_with("$ curl ") {
            continue;
        }
        let (url, form) = parse_curl(line);
        let url = url.replace(README_BASE, &base);
        let request = if form.is_empty() {
            api.http.get(&url)
        } else {
            api.http.post(&url).form(&form)
        };
        let body = request
            .send()
            .await
            .expect("an answer")
            .text()
            .await
            .expect("a body");
        let shown = lines.get(i + 1).copied().unwrap_or_default();
        assert_eq!(body, shown, "README line {}: {line}", i + 1);
        checked += 1;
    }
    assert!(checked >= 3, "the README's curl examples were not found");
}

#[test]
fn the_incidents_example_prints_what_the_readme_shows() {
    let lines: Vec<&str> = README.lines().collect();
    let at = lines
        .iter()
        .position(|l| l.starts_with("$ tv-sandbox --incidents"))
        .expect("the README shows --incidents");
    let args: Vec<&str> = lines[at]
        .trim_start_matches("$ tv-sandbox ")
        .split_whitespace()
        .collect();
    let out = Command::new(env!("CARGO_BIN_EXE_tv-sandbox"))
        .args(&args)
        .output()
        .expect("the binary runs");
    assert_eq!(out.status.code(), Some(0));
    let printed = String::from_utf8_lossy(&out.stdout);
    let shown: Vec<&str> = lines[at + 1..]
        .iter()
        .take_while(|l| l.trim() != "..." && !l.starts_with("```"))
        .copied()
        .collect();
    assert!(shown.len() > 3, "the README shows some of the output");
    let printed: Vec<&str> = printed.lines().take(shown.len()).collect();
    assert_eq!(printed, shown);
}
