use super::*;
use crate::shell::scratch::names_in;

fn temp(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!("why-threads-rec-{}-{name}", std::process::id()))
}

fn frame(shade: u8) -> Vec<u8> {
    vec![shade; (WIDTH * HEIGHT * 4) as usize]
}

fn decode(path: &Path) -> (u32, u32, Vec<u8>) {
    let decoder = png::Decoder::new(io::BufReader::new(fs::File::open(path).expect("open")));
    let mut reader = decoder.read_info().expect("png header");
    let mut buf = vec![0; reader.output_buffer_size().unwrap_or(0)];
    let info = reader.next_frame(&mut buf).expect("png data");
    (info.width, info.height, buf)
}

#[test]
fn both_placements_write_every_frame_as_a_readable_png() {
    for on_worker in [false, true] {
        let dir = temp(if on_worker { "worker" } else { "inline" });
        let _ = fs::remove_dir_all(&dir);
        let mut rec = Recorder::start(dir.clone(), on_worker, None).expect("start");
        for shade in [10u8, 20, 30] {
            rec.push(&frame(shade));
        }
        let (stats, error) = rec.stop();
        assert_eq!(error, None);
        assert_eq!((stats.failed, stats.error), (0, None));
        assert_eq!(stats.written + stats.dropped, 3);
        assert_eq!(stats.written, 3, "a pool of {POOL} holds three frames");
        let (w, h, pixels) = decode(&dir.join("frame-00002.png"));
        assert_eq!((w, h), (WIDTH, HEIGHT));
        assert!(pixels.iter().all(|&b| b == 20));
        assert!(!dir.join("frame-00004.png").exists());
        assert_eq!(names_in(&dir).len(), 3, "no temporary files left");
        let _ = fs::remove_dir_all(&dir);
    }
}

#[test]
fn an_unwritable_folder_is_refused_with_the_reason() {
    let err = Recorder::start(PathBuf::from("/proc/why-threads/rec"), true, None)
        .err()
        .unwrap_or_default();
    assert!(
        err.starts_with("cannot record into /proc/why-threads/rec"),
        "{err}"
    );
}

#[test]
fn frame_paths_are_rewritten_in_place() {
    let mut paths = FramePaths::new(Path::new("recordings/why-threads-7"));
    assert_eq!(
        paths.of(1),
        Path::new("recordings/why-threads-7/frame-00001.png")
    );
    let capacity = (paths.path.capacity(), paths.name.capacity());
    assert_eq!(
        paths.of(42),
        Path::new("recordings/why-threads-7/frame-00042.png")
    );
    assert_eq!((paths.path.capacity(), paths.name.capacity()), capacity);
    assert_eq!(
        paths.of(123_456),
        Path::new("recordings/why-threads-7/frame-123456.png")
    );
}

#[test]
fn the_first_write_error_stops_the_recording_and_leaves_only_whole_frames() {
    for on_worker in [false, true] {
        let dir = temp(if on_worker {
            "fail-worker"
        } else {
            "fail-inline"
        });
        let _ = fs::remove_dir_all(&dir);
        let mut rec = Recorder::start(dir.clone(), on_worker, None).expect("start");
        // A folder where frame 2's temporary file must go: creating it fails.
        let blocker = crate::sys::fs::temp_path(&dir.join("frame-00002.png"));
        fs::create_dir(&blocker).expect("blocker");
        let mut announced = Vec::new();
        for shade in 1..=5u8 {
            announced.extend(rec.push(&frame(shade)));
            if on_worker {
                // Let the worker keep up, so nothing is dropped.
                while rec.pool.len() < POOL && !rec.stopped() {
                    std::thread::yield_now();
                    announced.extend(rec.push(&[]));
                }
            }
        }
        let (stats, unsaid) = rec.stop();
        let said = announced.len() + usize::from(unsaid.is_some());
        assert_eq!(said, 1, "the error is said once ({on_worker})");
        let e = stats.error.expect("an error");
        assert_eq!(e.frame, 2);
        assert!(
            e.to_string().starts_with("frame 2 could not be written: "),
            "{e}"
        );
        assert_eq!(stats.written, 1, "{stats:?}");
        assert_eq!(stats.dropped, 0, "{stats:?}");
        assert!(stats.failed >= 1, "{stats:?}");
        let _ = fs::remove_dir(&blocker);
        assert_eq!(names_in(&dir), vec!["frame-00001.png".to_string()]);
        let (_, _, pixels) = decode(&dir.join("frame-00001.png"));
        assert!(pixels.iter().all(|&b| b == 1));
        let _ = fs::remove_dir_all(&dir);
    }
}

#[test]
fn new_folders_never_overwrite() {
    let base = temp("names");
    let _ = fs::create_dir_all(base.join("why-threads-7"));
    assert_eq!(new_dir(&base, 7), base.join("why-threads-7-2"));
    let _ = fs::remove_dir_all(&base);
}
