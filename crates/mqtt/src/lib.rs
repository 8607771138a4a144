//! zeropark's MQTT adapter: streaming ingestion of interval readings from a broker.
//!
//! [`run`] subscribes (QoS 1, persistent session) to one or more topic filters, reads each
//! message with [`payload::parse`], gathers messages into batches and hands every batch to
//! a sink (the caller stores it). A batch is handed over when it holds `flush_rows`
//! readings or `flush_messages` messages, when its oldest message is `flush_after` old, or
//! when the feed goes quiet for `quiet`. Messages are acknowledged to the broker only after the sink has stored their
//! batch: if the process stops first, the broker delivers them again, and because storing
//! readings is idempotent a redelivered message changes nothing (at-least-once delivery,
//! exactly-once effect).
//!
//! Plain TCP only (no TLS in this build): run it next to the broker, or behind a TLS
//! tunnel to a remote one.

pub mod payload;

use rumqttc::{
    Client, ConnectReturnCode, Connection, Event, MqttOptions, Packet, Publish, QoS,
    RecvTimeoutError, SubscribeReasonCode,
};
use std::time::{Duration, Instant};

pub use payload::{Parsed, Reading, Refused};

/// Where to connect, what to subscribe to and when to hand batches over.
#[derive(Debug, Clone)]
pub struct Settings {
    pub host: String,
    pub port: u16,
    /// Topic filters, e.g. `zeropark/readings/#`.
    pub topics: Vec<String>,
    /// Stable across restarts so the broker keeps the session (and unacknowledged messages).
    pub client_id: String,
    pub credentials: Option<(String, String)>,
    /// Hand a batch over once it holds this many readings.
    pub flush_rows: usize,
    /// ... or this many messages. The broker sends a client at most its in-flight window of
    /// unacknowledged QoS 1 messages (mosquitto's `max_inflight_messages`, 20 by default)
    /// and nothing more until some are acknowledged, so a batch must be handed over before
    /// the window fills: otherwise every batch waits for `quiet` and a busy feed is held to
    /// one window per quiet period.
    pub flush_messages: usize,
    /// ... or once its oldest message is this old.
    pub flush_after: Duration,
    /// ... or when no message came for this long.
    pub quiet: Duration,
    /// Stop after this many messages (all stored and acknowledged).
    pub max_messages: Option<u64>,
    /// Stop when no message came for this long (after storing what is pending).
    pub exit_idle: Option<Duration>,
    /// Give up when the first connection fails this many times in a row (1 s apart).
    pub connect_attempts: u32,
    /// Largest message accepted, bytes.
    pub max_message_bytes: usize,
}

impl Settings {
    /// Defaults for a broker at `host:port` and one topic filter.
    pub fn new(host: &str, port: u16, topic: &str) -> Settings {
        Settings {
            host: host.to_string(),
            port,
            topics: vec![topic.to_string()],
            client_id: "zeropark-ingest".to_string(),
            credentials: None,
            flush_rows: 50_000,
            flush_messages: 16,
            flush_after: Duration::from_secs(10),
            quiet: Duration::from_millis(250),
            max_messages: None,
            exit_idle: None,
            connect_attempts: 5,
            max_message_bytes: 1 << 20,
        }
    }

    /// `mqtt://host:port/filter` for reports and the quarantine.
    pub fn source(&self) -> String {
        format!(
            "mqtt://{}:{}/{}",
            self.host,
            self.port,
            self.topics.join("+")
        )
    }
}

/// A received message: its number in this session (1-based), its topic and what it held.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub seq: u64,
    pub topic: String,
    pub parsed: Parsed,
    /// When it arrived (the ingest lag of its batch is counted from the first message's).
    pub received: Instant,
}

/// Why the subscription ended normally.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stop {
    MaxMessages,
    Idle,
}

/// What a session did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Summary {
    pub messages: u64,
    pub batches: u64,
    pub stop: Stop,
}

#[derive(Debug, thiserror::Error)]
pub enum MqttError {
    #[error("cannot connect to the MQTT broker at {broker}: {reason}")]
    Connect { broker: String, reason: String },
    #[error("the MQTT broker refused the subscription to {topics}")]
    Subscribe { topics: String },
    #[error("MQTT client: {0}")]
    Client(String),
    #[error(
        "storing a batch failed (its messages stay unacknowledged and will be redelivered): {0}"
    )]
    Sink(String),
}

/// Subscribes and runs until a stop condition (or an error); `sink` stores each batch.
pub fn run(
    settings: &Settings,
    sink: &mut dyn FnMut(&[Message]) -> Result<(), String>,
) -> Result<Summary, MqttError> {
    let mut options = MqttOptions::new(&settings.client_id, &settings.host, settings.port);
    options
        .set_keep_alive(Duration::from_secs(30))
        .set_clean_session(false)
        .set_manual_acks(true)
        .set_max_packet_size(settings.max_message_bytes, settings.max_message_bytes);
    if let Some((user, password)) = &settings.credentials {
        options.set_credentials(user, password);
    }
    let (client, connection) = Client::new(options, 256);
    for topic in &settings.topics {
        client
            .subscribe(topic.as_str(), QoS::AtLeastOnce)
            .map_err(|e| MqttError::Client(e.to_string()))?;
    }
    let mut session = Session {
        settings,
        client,
        connection,
        pending: Vec::new(),
        unacked: Vec::new(),
        acks_due: std::collections::VecDeque::new(),
        rows: 0,
        oldest: None,
        seq: 0,
        batches: 0,
    };
    let result = session.run(sink);
    session.close();
    result
}

struct Session<'a> {
    settings: &'a Settings,
    client: Client,
    connection: Connection,
    pending: Vec<Message>,
    unacked: Vec<Publish>,
    /// Messages stored but not yet handed to the event loop for acknowledgement (its
    /// request queue was full).
    acks_due: std::collections::VecDeque<Publish>,
    rows: usize,
    oldest: Option<Instant>,
    seq: u64,
    batches: u64,
}

impl Session<'_> {
    fn run(
        &mut self,
        sink: &mut dyn FnMut(&[Message]) -> Result<(), String>,
    ) -> Result<Summary, MqttError> {
        let s = self.settings;
        let mut connected = false;
        let mut failures = 0u32;
        let mut last_message = Instant::now();
        loop {
            self.send_acks();
            let wait = match self.oldest {
                Some(oldest) => s.quiet.min(s.flush_after.saturating_sub(oldest.elapsed())),
                None => s
                    .exit_idle
                    .map_or(Duration::from_secs(1), |idle| {
                        idle.saturating_sub(last_message.elapsed())
                    })
                    .min(Duration::from_secs(1)),
            };
            match self
                .connection
                .recv_timeout(wait.max(Duration::from_millis(1)))
            {
                Ok(Ok(Event::Incoming(Packet::ConnAck(ack)))) => {
                    if ack.code != ConnectReturnCode::Success {
                        return Err(self.connect_error(format!("refused: {:?}", ack.code)));
                    }
                    connected = true;
                    failures = 0;
                }
                Ok(Ok(Event::Incoming(Packet::SubAck(ack)))) => {
                    if ack.return_codes.contains(&SubscribeReasonCode::Failure) {
                        return Err(MqttError::Subscribe {
                            topics: s.topics.join(", "),
                        });
                    }
                }
                Ok(Ok(Event::Incoming(Packet::Publish(publish)))) => {
                    last_message = Instant::now();
                    self.receive(publish);
                    let done = s.max_messages.is_some_and(|max| self.seq >= max);
                    let due = self.rows >= s.flush_rows
                        || self.pending.len() >= s.flush_messages
                        || self.oldest.is_some_and(|t| t.elapsed() >= s.flush_after);
                    if done || due {
                        self.flush(sink)?;
                    }
                    if done {
                        return Ok(self.summary(Stop::MaxMessages));
                    }
                }
                Ok(Ok(_)) => {}
                Ok(Err(e)) => {
                    failures += 1;
                    if !connected && failures >= s.connect_attempts {
                        return Err(self.connect_error(e.to_string()));
                    }
                    // The next poll reconnects; the broker redelivers what was not acknowledged.
                    connected = false;
                    std::thread::sleep(Duration::from_secs(1));
                }
                Err(RecvTimeoutError::Timeout) => {
                    if self.oldest.is_some() {
                        self.flush(sink)?;
                    } else if s
                        .exit_idle
                        .is_some_and(|idle| last_message.elapsed() >= idle)
                    {
                        return Ok(self.summary(Stop::Idle));
                    }
                }
                Err(RecvTimeoutError::Disconnected) => {
                    return Err(MqttError::Client("the connection closed".into()));
                }
            }
        }
    }

    fn receive(&mut self, publish: Publish) {
        self.seq += 1;
        let parsed = payload::parse(&publish.topic, &publish.payload);
        self.rows += parsed.readings.len() + parsed.refused.len();
        self.oldest.get_or_insert_with(Instant::now);
        self.pending.push(Message {
            seq: self.seq,
            topic: publish.topic.clone(),
            parsed,
            received: Instant::now(),
        });
        self.unacked.push(publish);
    }

    /// Stores the pending batch, then acknowledges its messages.
    fn flush(
        &mut self,
        sink: &mut dyn FnMut(&[Message]) -> Result<(), String>,
    ) -> Result<(), MqttError> {
        if self.pending.is_empty() {
            return Ok(());
        }
        sink(&self.pending).map_err(MqttError::Sink)?;
        self.acks_due.extend(self.unacked.drain(..));
        self.send_acks();
        self.pending.clear();
        self.rows = 0;
        self.oldest = None;
        self.batches += 1;
        Ok(())
    }

    /// Hands the due acknowledgements to the event loop without ever blocking: its request
    /// queue is drained only while the connection is polled, and under a burst of incoming
    /// messages a blocking send could wait forever on a queue nobody drains (seen after a
    /// broker restart). What does not fit waits for the next turn of the loop; the
    /// messages are stored already, so a late acknowledgement costs at most a redelivery.
    fn send_acks(&mut self) {
        while let Some(publish) = self.acks_due.front() {
            if self.client.try_ack(publish).is_err() {
                break;
            }
            self.acks_due.pop_front();
        }
    }

    fn summary(&self, stop: Stop) -> Summary {
        Summary {
            messages: self.seq,
            batches: self.batches,
            stop,
        }
    }

    fn connect_error(&self, reason: String) -> MqttError {
        MqttError::Connect {
            broker: format!("{}:{}", self.settings.host, self.settings.port),
            reason,
        }
    }

    /// Sends the queued acknowledgements and disconnects (at most 2 s). The event loop
    /// reports an outgoing packet before it has written it to the socket, so it is polled
    /// until the broker closes the connection, not just until `Disconnect` is reported:
    /// stopping earlier can drop the last acknowledgements and make the broker redeliver.
    fn close(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(2);
        // Acknowledgements still due go first; polling drains the request queue (messages
        // that arrive meanwhile are left unacknowledged: the broker delivers them again).
        while !self.acks_due.is_empty() {
            self.send_acks();
            let Some(left) = deadline.checked_duration_since(Instant::now()) else {
                return;
            };
            if let Ok(Err(_)) | Err(RecvTimeoutError::Disconnected) = self
                .connection
                .recv_timeout(left.min(Duration::from_millis(50)))
            {
                return;
            }
        }
        if self.client.try_disconnect().is_err() {
            return;
        }
        while let Some(left) = deadline.checked_duration_since(Instant::now()) {
            if !matches!(self.connection.recv_timeout(left), Ok(Ok(_))) {
                break;
            }
        }
    }
}
