//! Scenario tests: the host sends a Write Structured Field record, the terminal answers or
//! changes so. Query Reply fixtures are s3270 4.1's own bytes.

use super::query::qcode;
use super::*;
use crate::codepage::CP037;
use crate::datastream::{process, Capabilities, Reply};
use crate::screen::{LockReason, ScreenSize};
use proptest::prelude::*;

fn hex(s: &str) -> Vec<u8> {
    let s: String = s.split_whitespace().collect();
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

/// A 3279-2-E cp037 terminal that calls itself "x3270" in RPQ Names, like s3270.
fn ctx() -> Capabilities {
    let mut c = Capabilities::for_model(2, true, true, &CP037);
    c.rpq_name = "x3270".into();
    c
}

fn query_reply(ctx: &Capabilities, record: &[u8]) -> Vec<u8> {
    let mut s = ctx.new_screen();
    let out = process(&mut s, record, ctx).unwrap();
    match out.replies.as_slice() {
        [Reply::QueryReply(bytes)] => bytes.clone(),
        other => panic!("expected one query reply, got {other:?}"),
    }
}

/// What s3270 4.1 (`s3270 -model 3279-2-E`, code page bracket = CP037) sent for a WSF Read
/// Partition Query `F3 00 05 01 FF 02` from a Python mock host negotiating plain TN3270
/// (TTYPE, EOR, BINARY); copied from its `-trace` file with IAC doubling removed.
const S3270_3279_2_E_QUERY_REPLY: &str = "
    88
    000e 81 80 80 81 84 85 86 87 88 95 a1 a6
    0017 81 81 01 00 0050 0018 01 000a02e5 0002006f 09 0c 0780
    0008 81 84 00 0780 00
    001b 81 85 82 00 09 0c 00000000 07 00 10 00 02b90025 01 00 f1 03c30136
    0026 81 86 00 10 00f4 f1f1 f2f2 f3f3 f4f4 f5f5 f6f6 f7f7 f8f8 f9f9 fafa fbfb fcfc fdfd fefe ffff
    000f 81 87 05 00f0 f1f1 f2f2 f4f4 f8f8
    0007 81 88 00 01 02
    000c 81 95 0000 4000 4000 0101
    0012 81 a1 00000000 00000000 06 a7f3f2f7f0
    0011 81 a6 0000 0b 01 00 0050 0018 0050 0018";

#[test]
fn query_reply_matches_s3270_except_the_documented_ddm_reply() {
    let ours = query_reply(&ctx(), &hex("F3 0005 01 FF 02"));
    // Deliberate difference: no file transfer, so no DDM (0x95) reply and no 0x95 in the
    // Summary (whose length drops from 0x0e to 0x0d).
    let expected = hex(&S3270_3279_2_E_QUERY_REPLY
        .replace(
            "000e 81 80 80 81 84 85 86 87 88 95 a1 a6",
            "000d 81 80 80 81 84 85 86 87 88 a1 a6",
        )
        .replace("000c 81 95 0000 4000 4000 0101", ""));
    assert_eq!(ours, expected);
}

/// s3270 4.1 `-model 3278-4` (monochrome, 43x80) answered the same Query with colours
/// mapped to 0x00 and the model 4 sizes; these are its Color and Usable Area replies.
#[test]
fn monochrome_model_4_reply_matches_s3270() {
    let ctx = Capabilities::for_model(4, false, true, &CP037);
    let ours = query_reply(&ctx, &hex("F3 0005 01 FF 02"));
    let usable = hex("0017 81 81 01 00 0050 002b 01 000a02e5 0002006f 09 0c 0d70");
    let color = hex(
        "0026 81 86 00 10 00f4 f100 f200 f300 f400 f500 f600 f700 f800 f900 fa00 fb00 fc00 fd00 fe00 ff00",
    );
    let implicit = hex("0011 81 a6 0000 0b 01 00 0050 0018 0050 002b");
    for part in [usable, color, implicit] {
        assert!(ours.windows(part.len()).any(|w| w == part), "{part:02x?}");
    }
}

#[test]
fn character_sets_reply_carries_the_session_code_page() {
    let mut ctx = ctx();
    ctx.cgcsgid = (1173 << 16) | 1140; // e.g. cp1140
    let ours = query_reply(&ctx, &hex("F3 0005 01 FF 02"));
    let charsets = hex("001b 81 85 82 00 09 0c 00000000 07 00 10 00 04950474 01 00 f1 03c30136");
    assert!(ours.windows(charsets.len()).any(|w| w == charsets));
}

/// s3270 4.1's answers to Query List: List(0x81) -> Usable Area only; List() and
/// List(0x99) -> Null; List(0x81, 0x80) -> Summary then Usable Area; All -> everything.
#[test]
fn query_list_answers_like_s3270() {
    let usable = "0017 81 81 01 00 0050 0018 01 000a02e5 0002006f 09 0c 0780";
    let summary = "000d 81 80 80 81 84 85 86 87 88 a1 a6";
    let cases = [
        ("F3 0007 01 FF 03 00 81", format!("88 {usable}")),
        ("F3 0006 01 FF 03 00", "88 0004 81 ff".to_string()),
        ("F3 0007 01 FF 03 00 99", "88 0004 81 ff".to_string()),
        (
            "F3 0008 01 FF 03 00 81 80",
            format!("88 {summary} {usable}"),
        ),
    ];
    for (request, reply) in cases {
        assert_eq!(query_reply(&ctx(), &hex(request)), hex(&reply), "{request}");
    }
    let full = query_reply(&ctx(), &hex("F3 0005 01 FF 02"));
    assert_eq!(query_reply(&ctx(), &hex("F3 0006 01 FF 03 80")), full); // All
    assert_eq!(query_reply(&ctx(), &hex("F3 0007 01 FF 03 40 81")), full); // Equivalent
}

#[test]
fn optional_replies_and_sixteen_bit_addressing() {
    let mut ctx = ctx();
    ctx.field_validation = true;
    ctx.field_outlining = true;
    ctx.sixteen_bit_supported = true;
    let ours = query_reply(&ctx, &hex("F3 0005 01 FF 02"));
    let summary = hex("000f 81 80 80 81 84 85 86 87 88 8a 8c a1 a6");
    assert_eq!(&ours[1..16], summary.as_slice());
    assert_eq!(ours[16..21], hex("0017 81 81 03")[..]); // ADDR = 12/14/16
    let validation = hex("0005 81 8a 07");
    let outlining = hex("000a 81 8c 00 00 0b 00 00 08");
    assert!(ours.windows(5).any(|w| w == validation));
    assert!(ours.windows(10).any(|w| w == outlining));
}

#[test]
fn big_dynamic_screen_reports_its_size() {
    let ctx = ctx().with_alternate_size(ScreenSize {
        rows: 62,
        cols: 160,
    });
    let ours = query_reply(&ctx, &hex("F3 0005 01 FF 02"));
    // s3270 4.1 `-model 3279-2-E -oversize 160x62` (terminal type IBM-DYNAMIC) sent these:
    // Usable Area 160 x 62 with BUFFSZ 9920 = 0x26C0, the same in Alphanumeric
    // Partitions, and 24x80 / 160x62 in Implicit Partition.
    for part in [
        hex("0017 81 81 01 00 00a0 003e 01 000a02e5 0002006f 09 0c 26c0"),
        hex("0008 81 84 00 26c0 00"),
        hex("0011 81 a6 0000 0b 01 00 0050 0018 00a0 003e"),
    ] {
        assert!(ours.windows(part.len()).any(|w| w == part), "{part:02x?}");
    }
}

#[test]
fn read_partition_read_operations_ask_input_with_aid_0x61() {
    for (op, kind) in [
        (0xF2, ReadKind::Buffer),
        (0xF6, ReadKind::Modified),
        (0x6E, ReadKind::ModifiedAll),
    ] {
        let mut s = ctx().new_screen();
        let out = process(&mut s, &[0xF3, 0x00, 0x05, 0x01, 0x00, op], &ctx()).unwrap();
        assert_eq!(
            out.replies,
            vec![Reply::Read(ReadRequest {
                kind,
                aid: Aid::ReadPartition
            })]
        );
        // The query partition 0xFF is wrong for a read.
        assert_eq!(
            process(&mut s, &[0xF3, 0x00, 0x05, 0x01, 0xFF, op], &ctx()),
            Err(SfError::BadPartition(0xFF).into())
        );
    }
    // And partition 0 is wrong for a Query.
    let mut s = ctx().new_screen();
    assert_eq!(
        process(&mut s, &hex("F3 0005 01 00 02"), &ctx()),
        Err(SfError::BadPartition(0x00).into())
    );
}

#[test]
fn erase_reset_selects_the_size_and_resets_reply_mode() {
    let ctx = Capabilities::for_model(5, true, true, &CP037);
    let mut s = ctx.new_screen();
    s.set_reply_mode(ReplyMode::ExtendedField);
    process(&mut s, &hex("F3 0004 03 80"), &ctx).unwrap(); // Erase/Reset alternate
    assert_eq!((s.rows(), s.cols()), (27, 132));
    assert_eq!(s.reply_mode(), ReplyMode::Field);
    process(&mut s, &hex("F3 0004 03 00"), &ctx).unwrap(); // default
    assert_eq!((s.rows(), s.cols()), (24, 80));
    assert!(process(&mut s, &hex("F3 0004 03 01"), &ctx).is_err());
    assert!(process(&mut s, &hex("F3 0005 03 00 00"), &ctx).is_err());
}

#[test]
fn set_reply_mode_character_lists_the_attribute_types() {
    let mut s = ctx().new_screen();
    // Set Reply Mode, partition 0, character mode: highlight, foreground, an unknown 0x99.
    process(&mut s, &hex("F3 0008 09 00 02 41 42 99"), &ctx()).unwrap();
    assert_eq!(
        s.reply_mode(),
        ReplyMode::Character(CharacterReplyAttributes {
            highlight: true,
            fg: true,
            ..Default::default()
        })
    );
    process(&mut s, &hex("F3 0005 09 00 01"), &ctx()).unwrap();
    assert_eq!(s.reply_mode(), ReplyMode::ExtendedField);
    assert_eq!(
        process(&mut s, &hex("F3 0005 09 01 00"), &ctx()),
        Err(SfError::BadPartition(1).into())
    );
    assert_eq!(
        process(&mut s, &hex("F3 0005 09 00 07"), &ctx()),
        Err(SfError::BadParameter { id: 0x09, value: 7 }.into())
    );
}

#[test]
fn outbound_3270ds_carries_writes_and_eau() {
    let mut s = ctx().new_screen();
    s.set_lock(Some(LockReason::AwaitingFirst));
    // Outbound 3270DS, partition 0: EW, WCC restore, SF unprotected, "AB".
    let out = process(&mut s, &hex("F3 000A 40 00 F5 02 1D 40 C1 C2"), &ctx()).unwrap();
    assert!(out.keyboard_restored);
    assert_eq!(s.lock(), None);
    assert!(s.to_text(&CP037).starts_with(" AB"));
    // Write: "C" at the cursor (0).
    process(&mut s, &hex("F3 0007 40 00 F1 00 C3"), &ctx()).unwrap();
    assert!(s.to_text(&CP037).starts_with("CAB"));
    // EAU inside: nulls the unprotected field... "C" overwrote the attribute, so the
    // screen is unformatted and EAU clears it all.
    process(&mut s, &hex("F3 0005 40 00 6F"), &ctx()).unwrap();
    assert!(s.cells().iter().all(|c| c.ch == 0));
    // A partition other than 0, or another command, is rejected.
    assert!(process(&mut s, &hex("F3 0006 40 01 F1 00"), &ctx()).is_err());
    assert!(process(&mut s, &hex("F3 0006 40 00 F2 00"), &ctx()).is_err());
}

#[test]
fn outbound_3270ds_erase_write_keeps_the_size_in_force() {
    let ctx = Capabilities::for_model(4, true, true, &CP037);
    let mut s = ctx.new_screen();
    process(&mut s, &[0x7E, 0x00], &ctx).unwrap(); // EWA: 43x80
    process(&mut s, &hex("F3 0006 40 00 F5 00"), &ctx).unwrap();
    assert_eq!(s.rows(), 43);
}

#[test]
fn length_zero_means_the_rest_of_the_record() {
    let ours = query_reply(&ctx(), &hex("F3 0000 01 FF 02"));
    assert_eq!(ours, query_reply(&ctx(), &hex("F3 0005 01 FF 02")));
}

#[test]
fn local_wsf_command_code_works_like_the_sna_one() {
    let local = query_reply(&ctx(), &hex("11 0005 01 FF 02"));
    assert_eq!(local, query_reply(&ctx(), &hex("F3 0005 01 FF 02")));
}

#[test]
fn an_empty_wsf_does_nothing() {
    let mut s = ctx().new_screen();
    assert_eq!(process(&mut s, &[0xF3], &ctx()), Ok(Outcome::default()));
}

#[test]
fn bad_lengths_stop_the_record() {
    let mut s = ctx().new_screen();
    for (rec, offset) in [
        ("F3 0002 01", 0),       // length < 3
        ("F3 0009 01 FF 02", 0), // past the end
        ("F3 0004 03 80 00", 4), // one byte left after a good field
    ] {
        assert_eq!(
            process(&mut s, &hex(rec), &ctx()),
            Err(SfError::BadLength { offset }.into()),
            "{rec}"
        );
    }
    // The good Erase/Reset before the stray byte took effect.
    assert_eq!(s.rows(), 24);
}

#[test]
fn an_unsupported_field_does_not_lose_the_query_reply_after_it() {
    let mut s = ctx().new_screen();
    // Create Partition (unsupported), then Read Partition Query.
    let out = process(&mut s, &hex("F3 0004 0C 00  0005 01 FF 02"), &ctx()).unwrap();
    assert_eq!(out.replies.len(), 1);
    assert_eq!(out.rejected, Some(SfError::Unsupported(0x0C).into()));
    // Alone, it is an error.
    assert_eq!(
        process(&mut s, &hex("F3 0004 0C 00"), &ctx()),
        Err(SfError::Unsupported(0x0C).into())
    );
}

#[test]
fn replies_per_record_are_bounded() {
    let mut s = ctx().new_screen();
    let rec = [&[0xF3u8][..], &hex("0005 01 FF 02").repeat(6)].concat();
    let out = process(&mut s, &rec, &ctx()).unwrap();
    assert_eq!(out.replies.len(), MAX_REPLIES_PER_RECORD);
    assert_eq!(out.rejected, Some(DataStreamError::TooManyReplies));
}

#[test]
fn summary_lists_exactly_what_a_query_returns() {
    let ours = query_reply(&ctx(), &hex("F3 0005 01 FF 02"));
    let mut codes = vec![];
    let mut i = 1;
    while i + 4 <= ours.len() {
        let len = usize::from(u16::from_be_bytes([ours[i], ours[i + 1]]));
        assert_eq!(ours[i + 2], 0x81);
        codes.push(ours[i + 3]);
        i += len;
    }
    assert_eq!(i, ours.len());
    let summary_len = usize::from(ours[2]);
    assert_eq!(&ours[5..1 + summary_len], codes.as_slice());
    assert_eq!(codes[0], qcode::SUMMARY);
}

proptest! {
    #[test]
    fn any_wsf_never_panics(data in proptest::collection::vec(any::<u8>(), 0..300)) {
        let mut s = ctx().new_screen();
        let _ = process(&mut s, &[&[0xF3u8][..], &data].concat(), &ctx());
        prop_assert!(s.cursor() < s.len());
    }
}
