/// Sum.
///
/// # Arguments
///
/// * `a` - First.
/// * `b` - Second.
pub fn sum(a: i32, c: i32) -> i32 { a + c }
