/// Parse a rule from `"min:batch"`.
///
/// # Errors
///
/// Returns an error when the text is not two numbers.
pub fn parse_rule(text: &str) -> Result<(u32, u32), String> {
    let (a, b) = text.split_once(':').ok_or("missing ':'")?;
    Ok((a.parse().map_err(|_| "bad min")?, b.parse().map_err(|_| "bad batch")?))
}

/// Scale a quantity.
///
/// # Arguments
///
/// * `qty` - the quantity to scale
pub fn scale(qty: u32, factor: u32) -> u32 {
    qty * factor
}
