//! Scenario tests of the assembled terminal: host bytes in, screen and host-bound bytes out.
//! Expected host-bound bytes come from s3270 4.1 traces of the same exchange.

use super::*;
use crate::input::Key;

/// Plain TN3270 negotiation as a minimal host drives it (and as Hercules does).
const PLAIN_NEGOTIATION: &[&[u8]] = &[
    &[0xff, 0xfd, 0x18],                   // DO TERMINAL-TYPE
    &[0xff, 0xfa, 0x18, 0x01, 0xff, 0xf0], // SB TERMINAL-TYPE SEND SE
    &[
        0xff, 0xfd, 0x19, 0xff, 0xfb, 0x19, // DO EOR, WILL EOR
        0xff, 0xfd, 0x00, 0xff, 0xfb, 0x00, // DO BINARY, WILL BINARY
    ],
];

/// The s3270 session of `host.py`: an EW with a protected "HELLO" and one input field.
const HELLO_SCREEN: &[u8] = &[
    0xf5, 0xc3, // Erase/Write, WCC reset|restore|reset-MDT
    0x11, 0x40, 0x40, // SBA (1,1)
    0x1d, 0x60, // SF protected
    0xc8, 0xc5, 0xd3, 0xd3, 0xd6, // "HELLO"
    0x11, 0xc1, 0x50, // SBA (2,1)
    0x1d, 0x40, // SF unprotected
    0x13, // IC
    0x11, 0xc1, 0x60, // SBA (2,17)
    0x1d, 0x60, // SF protected
    0xff, 0xef, // IAC EOR
];

fn connected(model: &str) -> Terminal {
    let mut t = Terminal::new(TerminalConfig {
        model: TerminalModel::parse(model).unwrap(),
        ..TerminalConfig::default()
    });
    t.connected();
    for step in PLAIN_NEGOTIATION {
        t.feed(step);
    }
    t.take_output();
    while t.poll_event().is_some() {}
    t
}

#[test]
fn plain_negotiation_answers_like_s3270() {
    let mut t = Terminal::new(TerminalConfig {
        model: TerminalModel::parse("3279-2-E").unwrap(),
        ..TerminalConfig::default()
    });
    t.feed(PLAIN_NEGOTIATION[0]);
    assert_eq!(t.take_output(), [0xff, 0xfb, 0x18]); // WILL TERMINAL-TYPE
    t.feed(PLAIN_NEGOTIATION[1]);
    let mut expect = vec![0xff, 0xfa, 0x18, 0x00]; // SB TERMINAL-TYPE IS
    expect.extend_from_slice(b"IBM-3279-2-E");
    expect.extend_from_slice(&[0xff, 0xf0]);
    assert_eq!(t.take_output(), expect);
    t.feed(PLAIN_NEGOTIATION[2]);
    assert_eq!(
        t.take_output(),
        [0xff, 0xfb, 0x19, 0xff, 0xfd, 0x19, 0xff, 0xfb, 0x00, 0xff, 0xfd, 0x00]
    );
    assert_eq!(t.mode(), Mode::Tn3270);
}

#[test]
fn typing_and_enter_send_what_s3270_sends() {
    let mut t = connected("3279-2-E");
    t.feed(HELLO_SCREEN);
    assert_eq!(t.text_rows()[0].trim_end(), " HELLO");
    assert_eq!(t.screen().lock(), None);
    assert_eq!(t.screen().row_col(t.screen().cursor()), (1, 1));
    t.type_text("abc");
    assert_eq!(t.key(Key::Enter), KeyOutcome::Sent(Aid::Enter));
    // s3270: "> Enter(2,5) SetBufferAddress(2,2) 'abc'" = 7dc1d411c1d1818283ffef
    assert_eq!(
        t.take_output(),
        [
            0x7d, // AID Enter
            0xc1, 0xd4, // cursor (2,5)
            0x11, 0xc1, 0xd1, // SBA (2,2)
            0x81, 0x82, 0x83, // "abc"
            0xff, 0xef, // IAC EOR
        ]
    );
    assert_eq!(t.screen().lock(), Some(LockReason::SystemWait));
}

#[test]
fn type_ahead_is_sent_when_the_host_restores_the_keyboard() {
    let mut t = connected("3279-2-E");
    t.feed(HELLO_SCREEN);
    t.key(Key::Enter);
    t.take_output();
    assert_eq!(t.key(Key::Char('x')), KeyOutcome::Queued);
    assert_eq!(t.key(Key::Pf(3)), KeyOutcome::Queued);
    // Host: Write, WCC restore.
    t.feed(&[0xf1, 0xc2, 0xff, 0xef]);
    let out = t.take_output();
    assert_eq!(out[0], 0xf3, "PF3 went out after the restore: {out:02x?}");
    assert!(
        out.windows(1).any(|w| w == [0xa7]),
        "the typed 'x': {out:02x?}"
    );
}

#[test]
fn read_buffer_command_is_answered() {
    let mut t = connected("3279-2-E");
    t.feed(HELLO_SCREEN);
    t.feed(&[0xf2, 0xff, 0xef]); // Read Buffer
    let out = t.take_output();
    assert_eq!(&out[..3], &[0x60, 0xc1, 0xd1], "no AID, cursor (2,2)");
    // Every cell once; each of the 3 attribute cells goes out as SF + attribute (one more
    // byte each); then IAC EOR.
    assert_eq!(out.len(), 3 + 1920 + 3 + 2, "{out:02x?}");
    assert_eq!(
        &out[3..10],
        &[0x1d, 0x60, 0xc8, 0xc5, 0xd3, 0xd3, 0xd6],
        "SF prot, HELLO"
    );
}

#[test]
fn query_is_answered_with_a_query_reply() {
    let mut t = connected("3279-2-E");
    t.feed(&[
        0xf3, // WSF
        0x00, 0x05, 0x01, // length 5, Read Partition
        0xff, 0xff, // partition 0xFF (IAC doubled)
        0x02, // Query
        0xff, 0xef, // IAC EOR
    ]);
    let out = t.take_output();
    assert_eq!(out[0], 0x88, "a structured-field AID");
    // Field Validation (QCODE 0x8A) is answered: mandatory fill, entry and trigger.
    assert!(
        out.windows(5).any(|w| w == [0x00, 0x05, 0x81, 0x8a, 0x07]),
        "{out:02x?}"
    );
    assert_eq!(&out[out.len() - 2..], &[0xff, 0xef]);
}

#[test]
fn bad_record_is_survived_and_reported() {
    let mut t = connected("3279-2-E");
    t.feed(&[0x99, 0xff, 0xef]); // unknown command
    let mut saw_error = false;
    while let Some(ev) = t.poll_event() {
        saw_error |= matches!(
            ev,
            TerminalEvent::Error(TerminalError::DataStream(DataStreamError::UnknownCommand(
                0x99
            )))
        );
    }
    assert!(saw_error);
    t.feed(HELLO_SCREEN);
    assert_eq!(t.text_rows()[0].trim_end(), " HELLO");
}

#[test]
fn tn3270e_record_asking_always_response_gets_a_positive_response() {
    let mut t = Terminal::new(TerminalConfig {
        model: TerminalModel::parse("3279-2-E").unwrap(),
        ..TerminalConfig::default()
    });
    t.feed(&[0xff, 0xfd, 0x28]); // DO TN3270E
    t.feed(&[0xff, 0xfa, 0x28, 0x08, 0x02, 0xff, 0xf0]); // SEND DEVICE-TYPE
    let mut is = vec![0xff, 0xfa, 0x28, 0x02, 0x04]; // DEVICE-TYPE IS
    is.extend_from_slice(b"IBM-3278-2-E");
    is.extend_from_slice(&[0x01]); // CONNECT
    is.extend_from_slice(b"LU1");
    is.extend_from_slice(&[0xff, 0xf0]);
    t.feed(&is);
    // FUNCTIONS IS BIND-IMAGE RESPONSES SYSREQ
    t.feed(&[0xff, 0xfa, 0x28, 0x03, 0x04, 0x00, 0x02, 0x04, 0xff, 0xf0]);
    t.take_output();
    // 3270-DATA, ALWAYS-RESPONSE (0x02), seq 5: the hello screen.
    let mut rec = vec![0x00, 0x00, 0x02, 0x00, 0x05];
    rec.extend_from_slice(HELLO_SCREEN);
    t.feed(&rec);
    assert_eq!(t.lu(), Some("LU1"));
    assert_eq!(t.text_rows()[0].trim_end(), " HELLO");
    assert_eq!(
        t.take_output(),
        [0x02, 0x00, 0x00, 0x00, 0x05, 0x00, 0xff, 0xef], // RESPONSE, positive, seq 5, Device End
    );
}

#[test]
fn sysreq_on_plain_tn3270_sends_a_test_request_and_locks_the_keyboard() {
    let mut t = connected("3279-2-E");
    t.feed(HELLO_SCREEN);
    assert_eq!(t.screen().lock(), None);
    assert_eq!(t.key(Key::SysReq), KeyOutcome::SysReq);
    // s3270 against Hercules: "> 0x0 016c6102ffef" (Test Request Read), then
    // "Keyboard lock(key_AID) +OIA_TWAIT +OIA_LOCKED" until the host writes.
    assert_eq!(t.take_output(), [0x01, 0x6c, 0x61, 0x02, 0xff, 0xef]);
    assert_eq!(t.screen().lock(), Some(LockReason::SystemWait));
}

/// TN3270E with no functions agreed (as mainframe-mocker offers): ATTN is refused "X -f" and
/// SYS REQ sends nothing, as s3270 does (RFC 2355 ties IAC IP to a bound session and SYS REQ
/// to the SYSREQ function).
#[test]
fn attn_and_sysreq_without_tn3270e_functions_send_nothing() {
    let mut t = Terminal::new(TerminalConfig {
        model: TerminalModel::parse("3279-2-E").unwrap(),
        ..TerminalConfig::default()
    });
    t.feed(&[0xff, 0xfd, 0x28]); // DO TN3270E
    t.feed(&[0xff, 0xfa, 0x28, 0x08, 0x02, 0xff, 0xf0]); // SEND DEVICE-TYPE
    let mut is = vec![0xff, 0xfa, 0x28, 0x02, 0x04]; // DEVICE-TYPE IS
    is.extend_from_slice(b"IBM-3278-2-E");
    is.extend_from_slice(&[0xff, 0xf0]);
    t.feed(&is);
    t.feed(&[0xff, 0xfa, 0x28, 0x03, 0x04, 0xff, 0xf0]); // FUNCTIONS IS (none)
    let mut rec = vec![0x00, 0x00, 0x00, 0x00, 0x00]; // 3270-DATA, no response asked
    rec.extend_from_slice(HELLO_SCREEN);
    t.feed(&rec);
    t.take_output();
    t.key(Key::SysReq);
    assert_eq!(t.take_output(), Vec::<u8>::new());
    assert_eq!(t.screen().lock(), None);
    t.key(Key::Attn);
    assert_eq!(t.take_output(), Vec::<u8>::new());
    assert_eq!(t.screen().lock(), Some(LockReason::MinusFunction));
}

/// Found by fuzzing: the answer to a record leaves before the answers to negotiation that
/// followed the record in the same chunk, as it does when TCP cuts between them.
#[test]
fn reply_to_a_record_precedes_answers_to_later_negotiation_in_one_chunk() {
    let chunk: &[u8] = &[
        0xf6, 0xff, 0xef, // Read Modified, IAC EOR
        0xff, 0xfd, 0x06, // DO TIMING-MARK
    ];
    let mut whole = connected("3279-2-E");
    whole.feed(HELLO_SCREEN);
    whole.take_output();
    whole.feed(chunk);
    let mut split = connected("3279-2-E");
    split.feed(HELLO_SCREEN);
    split.take_output();
    split.feed(&chunk[..3]);
    split.feed(&chunk[3..]);
    let expected = [
        0x60, // AID: no AID (the host asked; nobody pressed a key)
        0xc1, 0xd1, // cursor (2,2), the input field
        0xff, 0xef, // IAC EOR
        0xff, 0xfc, 0x06, // WONT TIMING-MARK
    ];
    assert_eq!(split.take_output(), expected);
    assert_eq!(whole.take_output(), expected);
}

/// Record mode (the browser behind a bridge): host records in with their data type, the
/// operator's records and signals out as [`Outbound`] items; no telnet either way.
#[test]
fn record_mode_exchanges_records_and_signals() {
    let functions = crate::tn3270e::FunctionSet::S3270;
    let mut t = Terminal::for_records(
        TerminalConfig {
            model: TerminalModel::parse("3279-2-E").unwrap(),
            ..TerminalConfig::default()
        },
        Mode::Tn3270e {
            functions,
            session: crate::tn3270e::Session::LuLu,
        },
        Some("LU1".into()),
    );
    assert_eq!(t.lu(), Some("LU1"));
    assert_eq!(t.screen().lock(), Some(LockReason::AwaitingFirst));
    // The hello screen without its IAC EOR: a record is just the 3270 data.
    t.feed_record(DataType::Data3270, &HELLO_SCREEN[..HELLO_SCREEN.len() - 2]);
    assert_eq!(t.text_rows()[0].trim_end(), " HELLO");
    assert_eq!(
        t.take_output(),
        Vec::<u8>::new(),
        "no telnet in record mode"
    );
    t.type_text("abc");
    t.key(Key::Enter);
    assert_eq!(
        t.poll_outbound(),
        Some(Outbound::Record {
            data_type: DataType::Data3270,
            data: vec![
                0x7d, // AID Enter
                0xc1, 0xd4, // cursor (2,5)
                0x11, 0xc1, 0xd1, // SBA (2,2)
                0x81, 0x82, 0x83, // "abc"
            ],
        })
    );
    assert_eq!(t.poll_outbound(), None);
    // A Read Partition Query is answered with a Query Reply record.
    t.feed_record(DataType::Data3270, &[0xf3, 0x00, 0x05, 0x01, 0xff, 0x02]);
    match t.poll_outbound() {
        Some(Outbound::Record { data_type, data }) => {
            assert_eq!(data_type, DataType::Data3270);
            assert_eq!(data[0], 0x88);
        }
        other => panic!("{other:?}"),
    }
    // Bound with BIND-IMAGE: ATTN is a signal for the bridge.
    t.key(Key::Attn);
    assert_eq!(t.poll_outbound(), Some(Outbound::Attn));
}

/// Record mode with the host's headers (the bridge's mirror): the terminal decides the
/// TN3270E response each header asks for, as it does over telnet.
#[test]
fn record_mode_with_headers_decides_the_responses() {
    use crate::tn3270e::consts::{RSF_ALWAYS_RESPONSE, RSF_ERROR_RESPONSE, RSF_NO_RESPONSE};
    use crate::tn3270e::{NegativeReason, Response};
    let mut t = Terminal::for_records(
        TerminalConfig {
            model: TerminalModel::parse("3279-2-E").unwrap(),
            ..TerminalConfig::default()
        },
        Mode::Tn3270e {
            functions: crate::tn3270e::FunctionSet::S3270,
            session: crate::tn3270e::Session::LuLu,
        },
        Some("LU1".into()),
    );
    let header = |flag: u8, seq: u16| Header {
        response_flag: flag,
        ..Header::new(DataType::Data3270, seq)
    };
    let hello = &HELLO_SCREEN[..HELLO_SCREEN.len() - 2];
    // ALWAYS-RESPONSE, applied: positive.
    t.feed_framed(header(RSF_ALWAYS_RESPONSE, 5), hello);
    assert_eq!(t.text_rows()[0].trim_end(), " HELLO");
    assert_eq!(
        t.poll_outbound(),
        Some(Outbound::Response {
            seq: 5,
            response: Response::Positive
        })
    );
    assert_eq!(t.poll_outbound(), None);
    // ERROR-RESPONSE, applied, and NO-RESPONSE, failed: nothing.
    t.feed_framed(header(RSF_ERROR_RESPONSE, 6), hello);
    t.feed_framed(header(RSF_NO_RESPONSE, 7), &[0x99]);
    assert_eq!(t.poll_outbound(), None);
    // ERROR-RESPONSE, unknown command: command reject.
    t.feed_framed(header(RSF_ERROR_RESPONSE, 8), &[0x99, 0xc3]);
    assert_eq!(
        t.poll_outbound(),
        Some(Outbound::Response {
            seq: 8,
            response: Response::Negative(NegativeReason::CommandReject)
        })
    );
    // ALWAYS-RESPONSE, a Write whose SBA runs off the end: operation check.
    t.feed_framed(header(RSF_ALWAYS_RESPONSE, 9), &[0xf1, 0xc3, 0x11]);
    assert_eq!(
        t.poll_outbound(),
        Some(Outbound::Response {
            seq: 9,
            response: Response::Negative(NegativeReason::OperationCheck)
        })
    );
    // The screen still shows the last good write.
    assert_eq!(t.text_rows()[0].trim_end(), " HELLO");
    // A plain record (no header given) never asks for a response.
    t.feed_record(DataType::Data3270, &[0x99]);
    assert_eq!(t.poll_outbound(), None);
}

/// A mirror (the bridge's) that is told what the operator's terminal sent ends up with the
/// terminal's screen: the typed field, its MDT, the cursor, the lock; a host Write that keeps
/// the field then shows the same on both; CLEAR clears both.
#[test]
fn a_mirror_told_what_the_terminal_sent_shows_its_screen() {
    let records = || {
        Terminal::for_records(
            TerminalConfig {
                model: TerminalModel::parse("3279-2-E").unwrap(),
                ..TerminalConfig::default()
            },
            Mode::Tn3270e {
                functions: crate::tn3270e::FunctionSet::S3270,
                session: crate::tn3270e::Session::LuLu,
            },
            Some("LU1".into()),
        )
    };
    let (mut operator, mut mirror) = (records(), records());
    let hello = &HELLO_SCREEN[..HELLO_SCREEN.len() - 2];
    operator.feed_record(DataType::Data3270, hello);
    mirror.feed_record(DataType::Data3270, hello);
    operator.type_text("abc");
    operator.key(Key::Right);
    operator.key(Key::Enter);
    let Some(Outbound::Record { data_type, data }) = operator.poll_outbound() else {
        panic!("no record")
    };
    mirror.note_sent(data_type, &data);
    assert_eq!(mirror.text_rows(), operator.text_rows());
    assert_eq!(mirror.text_rows()[1].trim(), "abc");
    assert_eq!(mirror.screen().cursor(), operator.screen().cursor());
    assert_eq!(mirror.screen().lock(), Some(LockReason::SystemWait));
    assert_eq!(mirror.screen().lock(), operator.screen().lock());
    assert!(mirror.screen().field_attribute(81).unwrap().is_modified());
    assert_eq!(mirror.screen().cells(), operator.screen().cells());
    // The host answers with a Write that keeps the field and unlocks.
    let write = [0xf1, 0xc2, 0x11, 0x40, 0x40, 0x1d, 0x60, 0xd6, 0xd2]; // SF, "OK"
    operator.feed_record(DataType::Data3270, &write);
    mirror.feed_record(DataType::Data3270, &write);
    assert_eq!(mirror.text_rows(), operator.text_rows());
    assert_eq!(mirror.screen().lock(), None);
    // CLEAR: the terminal clears itself, then sends the short read.
    operator.key(Key::Clear);
    let Some(Outbound::Record { data_type, data }) = operator.poll_outbound() else {
        panic!("no record")
    };
    mirror.note_sent(data_type, &data);
    assert_eq!(mirror.screen().cells(), operator.screen().cells());
    assert!(mirror.text_rows().iter().all(|r| r.trim().is_empty()));
    // Garbage and other data types change nothing.
    let before = mirror.text_rows();
    mirror.note_sent(DataType::Data3270, &[0x01]);
    mirror.note_sent(DataType::SscpLuData, b"abc");
    assert_eq!(mirror.text_rows(), before);
}

/// Record mode: a BIND-IMAGE record sets the screen sizes, like over telnet.
#[test]
fn record_mode_bind_sets_the_sizes() {
    let mut t = Terminal::for_records(
        TerminalConfig {
            model: TerminalModel::parse("3279-5-E").unwrap(),
            ..TerminalConfig::default()
        },
        Mode::Tn3270,
        None,
    );
    let bind = crate::tn3270e::BindImage::encode(
        crate::screen::ScreenSize::MODEL_2,
        crate::screen::ScreenSize::MODEL_5,
    );
    t.feed_record(DataType::BindImage, &bind);
    assert_eq!(
        t.capabilities().alternate_size,
        crate::screen::ScreenSize::MODEL_5
    );
    t.feed_record(DataType::Data3270, &[0x7e, 0xc3]); // EWA, WCC restore
    assert_eq!((t.screen().rows(), t.screen().cols()), (27, 132));
}

proptest::proptest! {
    /// Whatever a client claims it sent (the native listener passes its records on), the
    /// mirror never panics and its cursor stays on the screen.
    #[test]
    fn any_sent_record_never_panics(
        screen in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..200),
        sent in proptest::collection::vec(
            proptest::prop_oneof![
                proptest::strategy::Just(0x7du8), proptest::strategy::Just(0x11),
                proptest::strategy::Just(0x28), proptest::strategy::Just(0x08),
                proptest::strategy::Just(0x40), proptest::strategy::Just(0x7f),
                proptest::prelude::any::<u8>()
            ],
            0..200,
        ),
    ) {
        let mut t = Terminal::for_records(
            TerminalConfig::default(),
            Mode::Tn3270e {
                functions: crate::tn3270e::FunctionSet::S3270,
                session: crate::tn3270e::Session::LuLu,
            },
            None,
        );
        t.feed_record(DataType::Data3270, &HELLO_SCREEN[..HELLO_SCREEN.len() - 2]);
        t.feed_record(DataType::Data3270, &[&[0xf1u8, 0xc3][..], &screen].concat());
        t.note_sent(DataType::Data3270, &sent);
        proptest::prop_assert!(t.screen().cursor() < t.screen().len());
        proptest::prop_assert_eq!(t.text_rows().len(), t.screen().rows());
    }
}
