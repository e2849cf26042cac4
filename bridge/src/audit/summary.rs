//! What a `data_sent` / `data_received` audit event says about a record.
//!
//! Terminal → host (`data_sent`), 3270-DATA: the inbound record is parsed
//! (GA23-0059 §3.5: AID, cursor address, SBA-addressed field data — the same parse that
//! admits the record) and summarized as AID, cursor row/column, field count, bytes, and for
//! each field its row/column and the text typed, decoded with the session's code page. A field
//! whose field attribute in the session's screen mirror is **non-display** (intensity bits
//! `11`, GA23-0059 §3.3.2 — password fields) is logged as [`REDACTED`], without its length.
//! Structured-field records (AID X'88', e.g. Query Replies) list no fields. SSCP-LU-DATA
//! (e.g. a typed `LOGON APPLID(...) DATA(password)`) is never logged as text: only its length.
//!
//! Host → terminal (`data_received`): data type, bytes and the command byte — never the
//! screen's text (it may hold personal data; the audit log records who did what, not what the
//! host showed).
//!
//! Bounded: at most [`MAX_FIELDS`] fields and [`MAX_FIELD_CHARS`] characters per field are
//! listed (the counts are always exact).

use serde_json::{json, Value};
use tn3270::aid::Aid;
use tn3270::builder::reply::InboundRecord;
use tn3270::terminal::Terminal;
use tn3270::tn3270e::DataType;

/// What a non-display field's text is replaced with.
pub const REDACTED: &str = "[REDACTED]";
/// Most fields listed per record.
pub const MAX_FIELDS: usize = 64;
/// Most characters listed per field (longer text ends with `…`).
pub const MAX_FIELD_CHARS: usize = 256;

/// The name of a data type in audit events (RFC 2355 §8.1.1 spelling).
pub fn data_type_name(dt: DataType) -> &'static str {
    match dt {
        DataType::Data3270 => "3270-DATA",
        DataType::ScsData => "SCS-DATA",
        DataType::Response => "RESPONSE",
        DataType::BindImage => "BIND-IMAGE",
        DataType::Unbind => "UNBIND",
        DataType::NvtData => "NVT-DATA",
        DataType::Request => "REQUEST",
        DataType::SscpLuData => "SSCP-LU-DATA",
        DataType::PrintEoj => "PRINT-EOJ",
    }
}

/// An AID as operators name the key: `ENTER`, `PF3`, `PA1`, `CLEAR`, ...
pub fn aid_name(aid: Aid) -> String {
    match aid {
        Aid::NoAid => "NONE".into(),
        Aid::Enter => "ENTER".into(),
        Aid::Pf(n) => format!("PF{n}"),
        Aid::Pa(n) => format!("PA{n}"),
        Aid::Clear => "CLEAR".into(),
        Aid::ClearPartition => "CLEAR_PARTITION".into(),
        Aid::SysReq => "SYSREQ".into(),
        Aid::StructuredField => "STRUCTURED_FIELD".into(),
        Aid::ReadPartition => "READ_PARTITION".into(),
        Aid::Trigger => "TRIGGER".into(),
        Aid::CursorSelect => "CURSOR_SELECT".into(),
    }
}

/// The details of a `data_sent` event for `data` of `data_type` sent by the terminal,
/// `mirror` being the session's screen mirror as it was when the record was typed.
pub fn sent(data_type: DataType, data: &[u8], mirror: &Terminal) -> Value {
    let base = json!({"data_type": data_type_name(data_type), "bytes": data.len()});
    if data_type != DataType::Data3270 {
        return base;
    }
    let Ok(record) = InboundRecord::parse(data, mirror.capabilities().addressing) else {
        return base;
    };
    let screen = mirror.screen();
    let cp = mirror.code_page();
    let row_col = |addr: usize| {
        let (r, c) = screen.row_col(screen.wrap(addr));
        json!({"row": r + 1, "col": c + 1})
    };
    let mut details = base;
    details["aid"] = json!(aid_name(record.aid));
    details["cursor"] = record.cursor.map(row_col).unwrap_or(Value::Null);
    if record.aid == Aid::StructuredField {
        return details;
    }
    details["field_count"] = json!(record.fields.len());
    let fields: Vec<Value> = record
        .fields
        .iter()
        .take(MAX_FIELDS)
        .map(|f| {
            let hidden = f
                .addr
                .and_then(|a| screen.field_attribute(a))
                .is_some_and(|fa| fa.is_nondisplay());
            let text = if hidden {
                REDACTED.to_owned()
            } else {
                let mut t: String = f
                    .data
                    .iter()
                    .take(MAX_FIELD_CHARS)
                    .map(|&b| cp.decode(b))
                    .collect();
                if f.data.len() > MAX_FIELD_CHARS {
                    t.push('…');
                }
                t
            };
            let mut v = json!({"text": text});
            if let Some(a) = f.addr {
                let pos = row_col(a);
                v["row"] = pos["row"].clone();
                v["col"] = pos["col"].clone();
            }
            if hidden {
                v["redacted"] = json!(true);
            }
            v
        })
        .collect();
    details["fields"] = json!(fields);
    details
}

/// The details of a `data_received` event: data type, bytes, and for 3270-DATA the command
/// byte (hex).
pub fn received(data_type: DataType, data: &[u8]) -> Value {
    let mut v = json!({"data_type": data_type_name(data_type), "bytes": data.len()});
    if data_type == DataType::Data3270 {
        if let Some(cmd) = data.first() {
            v["command"] = json!(format!("{cmd:02X}"));
        }
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;
    use tn3270::terminal::TerminalConfig;
    use tn3270::tn3270e::Mode;

    /// A 24×80 mirror with the host's screen: an unprotected field at row 1 col 2 (attribute
    /// at offset 0) and a non-display unprotected field at row 2 col 2 (attribute at 80).
    fn mirror() -> Terminal {
        let mut t = Terminal::for_records(TerminalConfig::default(), Mode::Tn3270, None);
        let record = [
            0xF5, // Erase/Write
            0xC3, // WCC: reset, restore keyboard
            0x11, 0x40, 0x40, // SBA (1,1) = offset 0
            0x1D, 0x40, // SF: unprotected, normal display
            0x11, 0xC1, 0x50, // SBA offset 80 (row 2 col 1)
            0x1D, 0x4C, // SF: unprotected, non-display (bits 2-3 = 11)
        ];
        t.feed_record(DataType::Data3270, &record);
        while t.poll_outbound().is_some() {}
        t
    }

    #[test]
    fn typed_text_is_listed_and_the_password_field_is_redacted() {
        let m = mirror();
        let inbound = [
            0x7D, // AID Enter
            0xC1, 0x54, // cursor: offset 84
            0x11, 0x40, 0xC1, // SBA offset 1: the visible field's first position
            0xA9, 0x96, 0x85, // "zoe"
            0x11, 0xC1, 0x51, // SBA offset 81: the non-display field
            0xC4, 0xC5, 0xD4, 0xD6, // "DEMO"
        ];
        let d = sent(DataType::Data3270, &inbound, &m);
        assert_eq!(d["aid"], "ENTER");
        assert_eq!(d["bytes"], 16);
        assert_eq!(d["cursor"], json!({"row": 2, "col": 5}));
        assert_eq!(d["field_count"], 2);
        assert_eq!(d["fields"][0], json!({"text": "zoe", "row": 1, "col": 2}));
        assert_eq!(
            d["fields"][1],
            json!({"text": REDACTED, "row": 2, "col": 2, "redacted": true})
        );
        assert!(!d.to_string().contains("DEMO"), "{d}");
    }

    #[test]
    fn sscp_lu_text_and_structured_fields_are_never_listed() {
        let m = mirror();
        let logon = "LOGON APPLID(X) DATA(SECRET)".bytes().collect::<Vec<_>>();
        let d = sent(DataType::SscpLuData, &logon, &m);
        assert_eq!(
            d,
            json!({"data_type": "SSCP-LU-DATA", "bytes": logon.len()})
        );
        let qr = [0x88, 0x00, 0x05, 0x81, 0x80, 0xC4];
        let d = sent(DataType::Data3270, &qr, &m);
        assert_eq!(d["aid"], "STRUCTURED_FIELD");
        assert!(d.get("fields").is_none());
        // Malformed: only the size.
        let d = sent(DataType::Data3270, &[0x01], &m);
        assert_eq!(d, json!({"data_type": "3270-DATA", "bytes": 1}));
    }

    #[test]
    fn host_records_are_summarized_without_text() {
        let d = received(DataType::Data3270, &[0xF5, 0xC3, 0xC8, 0xC9]);
        assert_eq!(
            d,
            json!({"data_type": "3270-DATA", "bytes": 4, "command": "F5"})
        );
    }
}
