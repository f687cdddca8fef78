//! A burst of pipelined requests, several times any server's input buffer,
//! in one write: every architecture answers every request, in order, on
//! one connection.

mod serve_common;

use std::io::Write;

use serve_common::*;
use why_threads::serve::site;

const REQUESTS: usize = 1000;

fn pipelined_burst(arch: &str) {
    let root = TestRoot::new(arch);
    let server = start(arch, &options(Some(&root.dir)));
    let mut stream = connect(&server);
    let burst: Vec<u8> = (0..REQUESTS)
        .flat_map(|i| get(if i % 2 == 0 { "/1k.bin" } else { "/8k.bin" }))
        .collect();
    assert!(burst.len() > 32 * 1024, "{} bytes", burst.len());
    let mut writer = stream.try_clone().unwrap();
    let sending = std::thread::spawn(move || writer.write_all(&burst));
    for i in 0..REQUESTS {
        let r =
            read_response(&mut stream, false).unwrap_or_else(|| panic!("{arch}: no response {i}"));
        let (name, size) = if i % 2 == 0 {
            site::FILES[0]
        } else {
            site::FILES[1]
        };
        assert_eq!(r.status, 200, "{arch}: response {i}");
        assert_eq!(r.body.len(), size, "{arch}: response {i}");
        assert_eq!(
            r.body,
            site::file_contents(name, size),
            "{arch}: response {i}"
        );
    }
    sending.join().unwrap().unwrap();
    drop(stream);
    let summary = stop(server);
    assert_eq!(summary.requests, REQUESTS as u64, "{arch}");
}

every_architecture! {
    answers_a_pipelined_burst_in_order => pipelined_burst,
}
