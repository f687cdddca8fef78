//! Which window system to use when a Linux desktop offers two: X11 first
//! where `DISPLAY` answers (XWayland on a Wayland desktop), so `read_mouse`
//! can read the mouse itself through XInput2; a native Wayland window only
//! when asked (`--wayland`), where the mouse is a relay of the window's
//! events. A named display that does not answer gives way to the other.
//! Pure: the probes are passed in.

/// A window system winit can be told to use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Backend {
    Wayland,
    X11,
}

/// Which backend to force (`None`: winit's own choice) and the line that
/// says why, when it is not the one the environment asks for first.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Choice {
    pub backend: Option<Backend>,
    pub note: Option<String>,
}

/// What the environment offers: each display's name, if set, and whether
/// it answers (asked only when needed).
pub(crate) struct Offer<'a> {
    pub wayland: Option<&'a str>,
    pub x11: Option<&'a str>,
    pub wayland_answers: &'a dyn Fn() -> Result<(), String>,
    pub x11_answers: &'a dyn Fn() -> Result<(), String>,
    /// `--wayland`: a native Wayland window when both are offered.
    pub wayland_first: bool,
}

/// Both named: X11 first (XWayland), unless `--wayland`; the one chosen
/// gives way to the other if it does not answer. One named: that one,
/// unless it is a dead X display beside a compositor that answers.
pub(crate) fn choose(offer: &Offer<'_>) -> Choice {
    let keep = Choice {
        backend: None,
        note: None,
    };
    match (offer.wayland, offer.x11) {
        (Some(wayland), Some(x11)) if !offer.wayland_first => match (offer.x11_answers)() {
            Ok(()) => Choice {
                backend: Some(Backend::X11),
                note: Some(format!(
                    "a Wayland desktop: the window opens on the X display '{x11}' (XWayland) so read_mouse can read the mouse itself; --wayland for a native Wayland window"
                )),
            },
            Err(why) => Choice {
                backend: Some(Backend::Wayland),
                note: Some(format!(
                    "the X display '{x11}' does not answer ({why}); using the Wayland display '{wayland}' (the mouse is a relay of the window's events)"
                )),
            },
        },
        (Some(wayland), Some(x11)) => match (offer.wayland_answers)() {
            Ok(()) => keep,
            Err(why) => Choice {
                backend: Some(Backend::X11),
                note: Some(format!(
                    "the Wayland display '{wayland}' does not answer ({why}); using the X display '{x11}'"
                )),
            },
        },
        (None, Some(x11)) if (offer.wayland_answers)().is_ok() => match (offer.x11_answers)() {
            Ok(()) => keep,
            Err(why) => Choice {
                backend: Some(Backend::Wayland),
                note: Some(format!(
                    "the X display '{x11}' does not answer ({why}); using the Wayland compositor"
                )),
            },
        },
        _ => keep,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn offer<'a>(
        wayland: Option<&'a str>,
        x11: Option<&'a str>,
        w: &'a dyn Fn() -> Result<(), String>,
        x: &'a dyn Fn() -> Result<(), String>,
    ) -> Offer<'a> {
        Offer {
            wayland,
            x11,
            wayland_answers: w,
            x11_answers: x,
            wayland_first: true,
        }
    }

    #[test]
    fn a_wayland_desktop_with_xwayland_opens_the_window_through_x11() {
        let live = || Ok(());
        let dead = || Err("gone".to_string());
        let both = Offer {
            wayland_first: false,
            ..offer(Some("wayland-0"), Some(":0"), &live, &live)
        };
        let c = choose(&both);
        assert_eq!(c.backend, Some(Backend::X11));
        assert!(
            c.note
                .is_some_and(|n| n.contains("XWayland") && n.contains("--wayland"))
        );
        // XWayland not answering: the native window, and the relay said.
        let no_x = Offer {
            wayland_first: false,
            ..offer(Some("wayland-0"), Some(":0"), &live, &dead)
        };
        let c = choose(&no_x);
        assert_eq!(c.backend, Some(Backend::Wayland));
        assert!(
            c.note
                .is_some_and(|n| n.contains("does not answer") && n.contains("relay"))
        );
        // --wayland: the compositor first, as winit would.
        assert_eq!(
            choose(&offer(Some("wayland-0"), Some(":0"), &live, &live)).backend,
            None
        );
    }

    #[test]
    fn a_stale_wayland_display_falls_back_to_a_live_x_server() {
        let dead = || Err("refused".to_string());
        let live = || Ok(());
        let c = choose(&offer(Some("garbage"), Some(":171"), &dead, &live));
        assert_eq!(c.backend, Some(Backend::X11));
        assert_eq!(
            c.note.as_deref(),
            Some(
                "the Wayland display 'garbage' does not answer (refused); using the X display ':171'"
            )
        );
    }

    #[test]
    fn a_dead_x_server_falls_back_to_a_live_compositor() {
        let dead = || Err("no server".to_string());
        let live = || Ok(());
        let c = choose(&offer(None, Some(":9"), &live, &dead));
        assert_eq!(c.backend, Some(Backend::Wayland));
        assert!(
            c.note
                .unwrap_or_default()
                .starts_with("the X display ':9' does not answer (no server)")
        );
    }

    #[test]
    fn live_or_hopeless_displays_are_left_to_winit() {
        let dead = || Err("no".to_string());
        let live = || Ok(());
        let none = Choice {
            backend: None,
            note: None,
        };
        assert_eq!(choose(&offer(Some("w"), Some(":1"), &live, &dead)), none);
        assert_eq!(choose(&offer(None, Some(":1"), &dead, &live)), none);
        assert_eq!(choose(&offer(None, Some(":1"), &dead, &dead)), none);
        assert_eq!(choose(&offer(Some("w"), None, &dead, &live)), none);
        assert_eq!(choose(&offer(None, None, &live, &live)), none);
    }
}
