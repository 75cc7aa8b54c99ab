//! Reorder engine: decides when and how much stock to reorder.

/// A reorder rule for one item.
#[derive(Debug, Clone)]
pub struct Rule {
    pub min_level: u32,
    pub batch: u32,
}

impl Rule {
    /// Create a rule.
    ///
    /// # Arguments
    ///
    /// * `min_level` - Reorder when stock falls below this.
    /// * `batch` - Units per reorder.
    ///
    /// # Panics
    ///
    /// Panics if `batch` is zero.
    pub fn new(min_level: u32, batch: u32) -> Self {
        assert!(batch > 0);
        Rule { min_level, batch }
    }

    /// How many units to order at the given stock level.
    pub fn order_quantity(&self, level: u32) -> u32 {
        if level >= self.min_level { 0 } else { self.batch }
    }
}

/// Parse a rule from `"min:batch"`.
///
/// # Errors
///
/// Returns an error when the text is not two numbers.
pub fn parse_rule(text: &str) -> Result<Rule, String> {
    let (a, b) = text.split_once(':').ok_or("missing ':'")?;
    Ok(Rule::new(a.parse().map_err(|_| "bad min")?, b.parse().map_err(|_| "bad batch")?))
}

fn helper() {}
