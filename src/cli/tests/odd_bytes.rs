use std::ffi::OsString;
use std::os::unix::ffi::OsStringExt;
use std::path::PathBuf;

use super::super::{CliError, Command, parse};

#[test]
fn odd_bytes_never_panic_and_paths_keep_them() {
    let hz = parse([OsString::from("--hz"), OsString::from_vec(vec![0xff])]);
    assert_eq!(
        hz,
        Err(CliError(
            "--hz must be a whole number from 1 to 2000, got '\u{fffd}'".into()
        ))
    );
    let name = OsString::from_vec(b"r\xff.json".to_vec());
    let r = match parse([OsString::from("--report"), name.clone()]) {
        Ok(Command::Run(r)) => r,
        other => panic!("{other:?}"),
    };
    assert_eq!(r.report, Some(PathBuf::from(name)));
}
