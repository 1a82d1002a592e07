//! One model identity across vendors (`x_Model`).
//!
//! The same model reaches a company under many names: `claude-sonnet-4-5-20250929` from the
//! Anthropic API, `anthropic.claude-sonnet-4-5-20250929-v1:0` from Bedrock,
//! `us.anthropic.claude-sonnet-4-5-20250929-v1:0` through a Bedrock cross-region inference
//! profile, `publishers/anthropic/models/claude-sonnet-4-5@20250929` on Vertex AI,
//! `ft-gpt-4o-2024-08-06` for a fine-tune on OpenAI, `mistral-large-2411` from Mistral.
//! `x_Model` is the model maker's name, lower case, without the dated snapshot, so spend on one
//! model adds up across vendors; the vendor's own string stays in `SkuId` and
//! `ChargeDescription`.

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
    // A resource path (`publishers/anthropic/models/<model>`, `models/<model>`): its last part.
    if let Some((_, model)) = name.rsplit_once('/') {
        name = model.to_owned();
    }
    // Vertex AI pins a version after `@` (`claude-sonnet-4-5@20250929`, `gemini-2.0-flash@001`).
    if let Some((model, _)) = name.split_once('@') {
        name = model.to_owned();
    }
    name = strip_bedrock_prefix(&name).to_owned();
    for prefix in ["ft:", "ft-"] {
        if let Some(rest) = name.strip_prefix(prefix) {
            name = rest.to_owned();
        }
    }
    // A fine-tune is `ft:<base>:<org>:<suffix>`, a Bedrock id `<model>-v1:0`: the part before
    // the first colon is the model.
    if let Some((base, _)) = name.split_once(':') {
        name = base.to_owned();
    }
    let name = strip_version_suffix(&name);
    let name = strip_date_snapshot(name);
    let name = strip_short_snapshot(name);
    // Anthropic writes versions with a dash (`claude-sonnet-4-5`); clouds' SKUs with a point.
    if name.starts_with("claude") {
        return Some(name.replace('.', "-"));
    }
    Some(name.to_owned())
}

/// Model families allot knows, by the start of their canonical id.
const KNOWN_FAMILIES: [&str; 30] = [
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
    "ministral-",
    "pixtral-",
    "magistral-",
    "devstral-",
    "voxtral-",
    "open-mistral-",
    "open-mixtral-",
    "command-",
    "embed-",
    "deepseek-",
    "jamba-",
];

/// Whether `model` (a canonical id) is of a family allot knows. A model it does not know is
/// still kept with its cost; the collector counts it in its report so a person can check it.
pub fn is_known_model(model: &str) -> bool {
    KNOWN_FAMILIES
        .iter()
        .any(|family| model.starts_with(family))
}

/// The publishers whose Bedrock model ids start with their name and a dot
/// (`anthropic.claude-…`, `amazon.nova-lite-v1:0`, `meta.llama3-…`).
const BEDROCK_PUBLISHERS: [&str; 10] = [
    "anthropic.",
    "amazon.",
    "meta.",
    "mistral.",
    "cohere.",
    "ai21.",
    "deepseek.",
    "openai.",
    "qwen.",
    "writer.",
];

/// Removes a Bedrock model id's publisher (`anthropic.`) and the geography of a cross-region
/// inference profile before it (`us.`, `eu.`, `apac.`, `global.`).
fn strip_bedrock_prefix(name: &str) -> &str {
    let after_geography = match name.split_once('.') {
        Some((geography, rest))
            if geography.len() <= 6
                && geography
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b == b'-')
                && BEDROCK_PUBLISHERS.iter().any(|p| rest.starts_with(p)) =>
        {
            rest
        }
        _ => name,
    };
    BEDROCK_PUBLISHERS
        .iter()
        .find_map(|publisher| after_geography.strip_prefix(publisher))
        .unwrap_or(after_geography)
}

/// Removes a short snapshot where a family writes one: `-latest` anywhere, four digits on
/// OpenAI and Mistral models (`gpt-4-0613`, `mistral-large-2411`), three on Gemini
/// (`gemini-1.5-flash-002`).
fn strip_short_snapshot(name: &str) -> &str {
    if let Some(base) = name.strip_suffix("-latest") {
        return base;
    }
    let Some((base, suffix)) = name.rsplit_once('-') else {
        return name;
    };
    if !suffix.bytes().all(|b| b.is_ascii_digit()) {
        return name;
    }
    let of_family = |families: &[&str]| {
        families.iter().any(|family| {
            base.strip_prefix(family)
                .is_some_and(|rest| rest.is_empty() || rest.starts_with('-'))
        })
    };
    match suffix.len() {
        4 if of_family(&FOUR_DIGIT_SNAPSHOT_FAMILIES) => base,
        3 if of_family(&["gemini"]) => base,
        _ => name,
    }
}

/// Families whose snapshots are four digits (`MMDD` for OpenAI, `YYMM` for Mistral).
const FOUR_DIGIT_SNAPSHOT_FAMILIES: [&str; 9] = [
    "gpt",
    "mistral",
    "codestral",
    "pixtral",
    "ministral",
    "magistral",
    "devstral",
    "open-mistral",
    "open-mixtral",
];

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
    fn claude_sonnet_4_5_is_one_model_on_every_cloud() {
        for vendor_name in [
            "us.anthropic.claude-sonnet-4-5-20250929-v1:0",
            "global.anthropic.claude-sonnet-4-5-20250929-v1:0",
            "claude-sonnet-4-5@20250929",
            "publishers/anthropic/models/claude-sonnet-4-5@20250929",
            "claude-sonnet-4-5-latest",
        ] {
            assert_eq!(
                canonical_model(vendor_name).as_deref(),
                Some("claude-sonnet-4-5"),
                "{vendor_name}"
            );
        }
    }

    #[test]
    fn short_snapshots_of_each_family_are_dropped() {
        for (vendor_name, model) in [
            ("amazon.nova-lite-v1:0", "nova-lite"),
            ("gpt-4-0613", "gpt-4"),
            ("gpt-3.5-turbo-0125", "gpt-3.5-turbo"),
            ("mistral-large-2411", "mistral-large"),
            ("mistral.mistral-large-2407-v1:0", "mistral-large"),
            ("mistral-small-latest", "mistral-small"),
            ("codestral-2501", "codestral"),
            ("gemini-1.5-flash-002", "gemini-1.5-flash"),
            ("gemini-2.0-flash@001", "gemini-2.0-flash"),
            ("meta.llama3-1-70b-instruct-v1:0", "llama3-1-70b-instruct"),
        ] {
            assert_eq!(
                canonical_model(vendor_name).as_deref(),
                Some(model),
                "{vendor_name}"
            );
        }
        // Four digits that are part of a name, not a snapshot, stay.
        assert_eq!(
            canonical_model("claude-3-5-sonnet").as_deref(),
            Some("claude-3-5-sonnet")
        );
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
