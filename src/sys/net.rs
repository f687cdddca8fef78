//! What the servers and the load generator ask of the sockets beyond std:
//! a deeper listen backlog, a read that never waits on a blocking socket,
//! whether a short read may end a round of reads, this machine's own
//! addresses, and more open files.

use std::io;
use std::net::{IpAddr, TcpListener, TcpStream};

/// Raises the listen backlog to `depth` (std listens with 128; `wrk -c1000`
/// connects faster than that drains). Listening again only raises it.
/// Where the OS cannot, the backlog stays std's.
pub fn deepen_backlog(listener: &TcpListener, depth: u32) {
    super::imp::net::deepen_backlog(listener, depth)
}

/// Reads only the bytes already there, from a blocking socket, without
/// waiting (`WouldBlock` when there are none).
pub fn read_now(stream: &TcpStream, buf: &mut [u8]) -> io::Result<usize> {
    super::imp::net::read_now(stream, buf)
}

/// Whether a read that did not fill its buffer may be the last of a round
/// on an edge-triggered socket: the next bytes bring a new readiness event
/// (epoll's `EPOLLET`, kqueue's `EV_CLEAR`). Not on Windows: mio re-arms a
/// socket only when a read says `WouldBlock`, so one must be read to that.
pub const SHORT_READ_DRAINS: bool = super::imp::net::SHORT_READ_DRAINS;

/// This machine's interface addresses (loopback included). Empty where
/// they cannot be listed (Windows for now), which leaves loopback as the
/// only address a load may target.
pub fn own_addresses() -> Vec<IpAddr> {
    super::imp::net::own_addresses()
}

/// Raises this process's open-file limit towards `want` (up to the hard
/// limit) and returns the limit now in force (`u64::MAX` where there is
/// no such limit).
pub fn raise_fd_limit(want: u64) -> u64 {
    super::imp::net::raise_fd_limit(want)
}
