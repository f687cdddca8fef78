use super::*;
use std::time::Duration;

const BLUE: Rgba = [0x3d, 0xd6, 0xff, 0xff];

fn report(seq: u64, x: f32, y: f32, buttons: u8) -> MouseReport {
    MouseReport {
        seq,
        time: Duration::from_millis(seq),
        read: Duration::from_millis(seq),
        x,
        y,
        buttons,
    }
}

fn run(game: &mut Game, steps: usize, controls: Controls) {
    for _ in 0..steps {
        game.step(1.0 / 240.0, &controls);
    }
}

fn right() -> Controls {
    Controls {
        keys: Keys {
            right: true,
            ..Keys::default()
        },
        ..Controls::default()
    }
}

#[test]
fn the_player_stays_inside_the_walls() {
    let mut game = Game::new(7);
    run(&mut game, 2400, right());
    let max_x = WIDTH as f32 - BORDER - PLAYER_RADIUS;
    assert!(game.player.x <= max_x + 0.01, "{}", game.player.x);
    assert!(
        game.player.x > max_x - 2.0,
        "pressed against the right wall"
    );
    assert!(game.wall_hits >= 1);
    assert!(
        game.sounds
            .as_slice()
            .iter()
            .any(|e| matches!(e, SoundEvent::Bump(_)))
    );
    assert!(game.shake > 0.0 || game.wall_hits > 0);
}

#[test]
fn the_same_inputs_give_the_same_game() {
    let play = || {
        let mut game = Game::new(42);
        for i in 0..500u64 {
            let x = 100.0 + (i as f32 * 0.8);
            game.push_mouse(&report(i, x, 200.0, u8::from(i % 100 < 3)), BLUE);
            game.step(1.0 / 240.0, &right());
        }
        (game.player, game.score, game.wall_hits, game.trail.len())
    };
    assert_eq!(play(), play());
}

#[test]
fn the_mouse_pulls_the_player_to_the_cursor() {
    let mut game = Game::new(1);
    game.push_mouse(&report(0, 320.0, 60.0, 0), BLUE);
    run(&mut game, 200, Controls::default());
    let (x, y) = (game.player.x, game.player.y);
    assert!((x - 320.0).abs() < 2.0 && (y - 60.0).abs() < 2.0, "{x} {y}");
    // After a second without motion the mouse lets go.
    run(&mut game, 100, Controls::default());
    assert!(!game.mouse_steering());
}

#[test]
fn every_sample_makes_a_dot_and_short_clicks_count() {
    let mut game = Game::new(1);
    for i in 0..10 {
        let buttons = u8::from(i == 4);
        game.push_mouse(&report(i, 100.0 + i as f32, 100.0, buttons), BLUE);
    }
    assert_eq!(game.trail.len(), 10);
    assert_eq!(game.sounds.as_slice(), &[SoundEvent::Click]);
    assert!(game.trail.iter().all(|d| d.colour == BLUE));
}

#[test]
fn pickups_score_and_respawn_away_from_the_player() {
    let mut game = Game::new(3);
    let (x, y) = game.pickups[0];
    game.player.x = x;
    game.player.y = y;
    run(&mut game, 1, Controls::default());
    assert_eq!(game.score, 1);
    assert!(game.sounds.as_slice().contains(&SoundEvent::Pickup));
    let (nx, ny) = game.pickups[0];
    assert!((nx - game.player.x).hypot(ny - game.player.y) > 60.0);
}

#[test]
fn the_sound_queue_is_bounded() {
    let mut game = Game::new(3);
    for _ in 0..40 {
        game.click();
    }
    assert_eq!(game.sounds.as_slice().len(), SoundQueue::CAPACITY);
    assert_eq!(game.sounds.overflowed, 8);
}

#[test]
fn interpolation_blends_previous_and_current() {
    let mut game = Game::new(1);
    game.previous = (10.0, 20.0);
    game.player.x = 20.0;
    game.player.y = 40.0;
    assert_eq!(game.interpolated(0.5), (15.0, 30.0));
    assert_eq!(game.interpolated(2.0), (20.0, 40.0));
}
