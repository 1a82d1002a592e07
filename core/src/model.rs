//! One model identity across vendors (`x_Model`).
//!
//! The same model reaches a company under many names: `claude-sonnet-4-5-20250929` from the
//! Anthropic API, `anthropic.claude-sonnet-4-5-20250929-v1:0` from Bedrock,
//! `ft-gpt-4o-2024-08-06` for a fine-tune on OpenAI. `x_Model` is the model maker's name, lower
//! case, without the dated snapshot, so spend on one model adds up across vendors; the
//! vendor's own string stays in `SkuId` and `ChargeDescription`.

/// The canonical model id of a vendor's model string, or `None` for an empty string.
///
/// ```
/// use allot_core::model::canonical_model;
/// assert_eq!(canonical_model("claude-sonnet-4-5-20250929").as_deref(), Some("claude-sonnet-4-5"));
/// assert_eq!(canonical_model("gpt-4o-2024-08-06").as_deref(), Some("gpt-4o"));
/// ```
pub fn canonical_model(vendor_name: &str) -> Option<String> {
    let mut name = vendor_name.trim().to_ascii_lowercase();
    if name.is_empty() {
        return None;
    }
    for prefix in ["ft:", "ft-", "anthropic.", "openai.", "google/", "models/"] {
        if let Some(rest) = name.strip_prefix(prefix) {
            name = rest.to_owned();
        }
    }
    // A fine-tune is `ft:<base>:<org>:<suffix>`: the base model is the identity.
    if let Some((base, _)) = name.split_once(':') {
        name = base.to_owned();
    }
    let name = strip_version_suffix(&name);
    let name = strip_date_snapshot(name);
    // Anthropic writes versions with a dash (`claude-sonnet-4-5`); clouds' SKUs with a point.
    if name.starts_with("claude") {
        return Some(name.replace('.', "-"));
    }
    Some(name.to_owned())
}

/// Model families allot knows, by the start of their canonical id.
const KNOWN_FAMILIES: [&str; 20] = [
    "claude-",
    "gpt-",
    "o1",
    "o3",
    "o4",
    "chatgpt-",
    "text-embedding-",
    "dall-e",
    "whisper",
    "tts-",
    "gemini-",
    "gemma-",
    "imagen-",
    "nova-",
    "titan-",
    "llama",
    "mistral-",
    "mixtral-",
    "codestral",
    "command-",
];

/// Whether `model` (a canonical id) is of a family allot knows. A model it does not know is
/// still kept with its cost; the collector counts it in its report so a person can check it.
pub fn is_known_model(model: &str) -> bool {
    KNOWN_FAMILIES
        .iter()
        .any(|family| model.starts_with(family))
}

/// Removes a Bedrock-style `-v1` / `-v2` revision suffix.
fn strip_version_suffix(name: &str) -> &str {
    match name.rsplit_once("-v") {
        Some((base, revision))
            if !revision.is_empty() && revision.bytes().all(|b| b.is_ascii_digit()) =>
        {
            base
        }
        _ => name,
    }
}

/// Removes a trailing dated snapshot: `-20250929` or `-2024-08-06`.
fn strip_date_snapshot(name: &str) -> &str {
    let bytes = name.as_bytes();
    let is_digits = |range: std::ops::Range<usize>| bytes[range].iter().all(u8::is_ascii_digit);
    let len = bytes.len();
    if len > 9 && bytes[len - 9] == b'-' && is_digits(len - 8..len) {
        return &name[..len - 9];
    }
    if len > 11
        && bytes[len - 11] == b'-'
        && bytes[len - 6] == b'-'
        && bytes[len - 3] == b'-'
        && is_digits(len - 10..len - 6)
        && is_digits(len - 5..len - 3)
        && is_digits(len - 2..len)
    {
        return &name[..len - 11];
    }
    name
}

#[cfg(test)]
mod tests {
    use super::canonical_model;

    #[test]
    fn one_identity_for_the_same_model_from_every_vendor() {
        for vendor_name in [
            "claude-sonnet-4-5-20250929",
            "Claude-Sonnet-4-5",
            "anthropic.claude-sonnet-4-5-20250929-v1:0",
            "claude-sonnet-4.5",
        ] {
            assert_eq!(
                canonical_model(vendor_name).as_deref(),
                Some("claude-sonnet-4-5")
            );
        }
    }

    #[test]
    fn openai_snapshots_and_fine_tunes_map_to_the_base_model() {
        assert_eq!(
            canonical_model("gpt-4o-2024-08-06").as_deref(),
            Some("gpt-4o")
        );
        assert_eq!(
            canonical_model("ft-gpt-4o-2024-08-06").as_deref(),
            Some("gpt-4o")
        );
        assert_eq!(
            canonical_model("ft:gpt-4o-mini-2024-07-18:acme::abc").as_deref(),
            Some("gpt-4o-mini")
        );
        assert_eq!(canonical_model("o3-2025-04-16").as_deref(), Some("o3"));
        assert_eq!(canonical_model("gpt-4.1").as_deref(), Some("gpt-4.1"));
    }

    #[test]
    fn known_families_and_unknown_models() {
        assert!(super::is_known_model("claude-sonnet-4-5"));
        assert!(super::is_known_model("o3"));
        assert!(super::is_known_model("nova-lite"));
        assert!(!super::is_known_model("acme-secret-model"));
    }

    #[test]
    fn names_without_a_snapshot_stay_as_they_are() {
        assert_eq!(
            canonical_model("text-embedding-3-small").as_deref(),
            Some("text-embedding-3-small")
        );
        assert_eq!(
            canonical_model("gemini-2.5-flash").as_deref(),
            Some("gemini-2.5-flash")
        );
        assert_eq!(canonical_model("  "), None);
    }
}
