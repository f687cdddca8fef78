//! Motion injected with `SendInput` comes back through the raw mouse, on
//! the thread that opened it and after it moved to another thread. One
//! test: a process has one raw mouse target, so two would take it from
//! each other. Waits are bounded; nothing is timed (Wine makes deltas
//! from absolute positions and delivers when it delivers).

use std::mem::size_of;
use std::time::Duration;

use windows_sys::Win32::UI::Input::KeyboardAndMouse::{
    INPUT, INPUT_0, INPUT_MOUSE, MOUSEEVENTF_MOVE, MOUSEINPUT, SendInput,
};

use super::RawMouse;

/// Moves the mouse by (dx, dy) mickeys, as a device would.
fn nudge(dx: i32, dy: i32) {
    let input = INPUT {
        r#type: INPUT_MOUSE,
        Anonymous: INPUT_0 {
            mi: MOUSEINPUT {
                dx,
                dy,
                dwFlags: MOUSEEVENTF_MOVE,
                ..Default::default()
            },
        },
    };
    // SAFETY: one INPUT and its size.
    let sent = unsafe { SendInput(1, &input, size_of::<INPUT>() as i32) };
    assert_eq!(sent, 1, "SendInput: {}", std::io::Error::last_os_error());
}

/// Nudges and reads until some reports came (at most 40 rounds of a
/// 100 ms read); returns how many came and whether any moved.
fn nudge_and_read(mouse: &mut RawMouse) -> (usize, bool) {
    let mut seen = 0;
    let mut moved = false;
    for round in 0..40 {
        let step = if round % 2 == 0 { 4 } else { -4 };
        nudge(step, step);
        let read = mouse.read(Duration::from_millis(100), &mut |r| {
            moved |= r.dx != 0 || r.dy != 0;
        });
        seen += read.unwrap_or_else(|e| panic!("read: {e}"));
        if seen >= 5 {
            break;
        }
    }
    (seen, moved)
}

#[test]
fn sent_motion_comes_back_as_raw_reports_on_any_thread() {
    let mut mouse = RawMouse::open().unwrap_or_else(|e| panic!("open: {e}"));
    let (seen, moved) = nudge_and_read(&mut mouse);
    assert!(seen > 0, "no raw report on the opening thread");
    assert!(moved, "reports without motion");

    // As when a mode switch hands the device to read_mouse.
    let (mouse, seen) = std::thread::spawn(move || {
        let (seen, _) = nudge_and_read(&mut mouse);
        (mouse, seen)
    })
    .join()
    .unwrap_or_else(|_| panic!("the reading thread panicked"));
    assert!(seen > 0, "no raw report after moving to another thread");
    drop(mouse);
}
