//! The command line of `agentgateway-translate`: usage, and files at the size limit.

use agentgateway_translate::documents::MAX_INPUT_BYTES;
use std::process::{Command, Output};

fn translate(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_agentgateway-translate"))
        .args(args)
        .output()
        .expect("runs")
}

/// A refusal for size: non-zero exit, nothing on stdout, the limit named.
fn assert_refused_as_too_big(out: &Output) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{stderr}");
    assert!(out.stdout.is_empty());
    assert!(stderr.contains("over the limit"), "{stderr}");
}

#[test]
fn without_files_it_prints_its_usage_and_fails_and_help_succeeds() {
    let none = translate(&[]);
    assert_eq!(none.status.code(), Some(2));
    let usage = String::from_utf8_lossy(&none.stderr);
    assert!(
        usage.starts_with("usage: cargo xtask translate FILE..."),
        "{usage}"
    );
    for help in ["--help", "-h"] {
        let out = translate(&[help]);
        assert!(out.status.success(), "{help}");
        assert!(
            String::from_utf8_lossy(&out.stderr).starts_with("usage:"),
            "{help}"
        );
        assert!(out.stdout.is_empty(), "{help}");
    }
}

#[test]
fn a_file_of_exactly_the_limit_is_read_whole_and_one_byte_more_is_refused() {
    // A backend whose last byte matters (`port: 80`, no final newline), after a
    // comment that brings the file to exactly the limit.
    let case = "apiVersion: agentgateway.dev/v1alpha1\nkind: AgentgatewayBackend\nmetadata:\n  namespace: default\n  name: b\nspec:\n  static:\n    host: example.com\n    port: 80";
    let padding = MAX_INPUT_BYTES - case.len() - 2;
    let text = format!("#{}\n{case}", "x".repeat(padding));
    assert_eq!(text.len(), MAX_INPUT_BYTES);
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("case.yaml");
    std::fs::write(&path, &text).expect("write");
    let out = translate(&[path.to_str().expect("utf-8 path")]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("port: 80"),
        "the last byte was read: {stdout}"
    );

    std::fs::write(&path, format!("{text}\n")).expect("write");
    let out = translate(&[path.to_str().expect("utf-8 path")]);
    assert_refused_as_too_big(&out);
}

#[cfg(unix)]
#[test]
fn a_stream_longer_than_the_limit_is_refused_not_cut() {
    // A named pipe has no size to check up front: the limit holds while reading.
    let dir = tempfile::tempdir().expect("tempdir");
    let fifo = dir.path().join("case.yaml");
    let made = Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("mkfifo runs");
    assert!(made.success());
    let opened = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let writer = {
        let (fifo, opened) = (fifo.clone(), opened.clone());
        std::thread::spawn(move || {
            use std::io::Write;
            let mut pipe = std::fs::OpenOptions::new()
                .write(true)
                .open(&fifo)
                .expect("open the pipe");
            opened.store(true, std::sync::atomic::Ordering::SeqCst);
            // The reader stops after the limit and one byte; the rest may not fit.
            let _ = pipe.write_all(&vec![b' '; MAX_INPUT_BYTES + 1]);
        })
    };
    let out = translate(&[fifo.to_str().expect("utf-8 path")]);
    // Should translate exit without opening the pipe, the writer would wait for a
    // reader for ever. When it has not opened the pipe yet, open (blocking) and close
    // a reader: its open returns and its write fails, so the test fails on the
    // assertion below instead of hanging. (Once it has opened it, a writer exists and
    // this open would not block either; translate's exit ends its write.)
    if !opened.load(std::sync::atomic::Ordering::SeqCst) {
        drop(std::fs::File::open(&fifo));
    }
    writer.join().expect("writer");
    assert_refused_as_too_big(&out);
}
