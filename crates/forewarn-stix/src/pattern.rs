//! The STIX 2.1 patterning language.
//!
//! [`parse`] reads the whole language: observation expressions joined by
//! `AND`, `OR` and `FOLLOWEDBY`, the `START … STOP`, `WITHIN` and `REPEATS`
//! qualifiers, and inside each `[ … ]` comparisons joined by `AND` and `OR`
//! over object paths with every operator and literal the specification
//! defines. It is a small hand-written lexer and recursive-descent parser:
//! errors carry the byte offset where reading went wrong and say what was
//! expected and what was found.
//!
//! A parsed [`Pattern`] prints (with [`Display`](std::fmt::Display)) as
//! canonical text that parses back to an equal pattern.
//!
//! forewarn matches only part of the language. [`Pattern::unsupported`]
//! tells a valid pattern forewarn cannot match from one it can, pointing at
//! the first construct it cannot handle.
//!
//! Limits keep hostile input cheap: a pattern may be at most
//! [`MAX_PATTERN_BYTES`] long and brackets and parentheses may nest at most
//! [`MAX_NESTING`] deep.

use std::fmt::{self, Write as _};
use std::str::FromStr;

/// The longest pattern [`parse`] accepts, in bytes.
pub const MAX_PATTERN_BYTES: usize = 64 * 1024;

/// How deeply brackets and parentheses may nest in a pattern.
pub const MAX_NESTING: usize = 64;

/// The object paths forewarn matches, written as `type:property`.
pub const MATCHABLE_PATHS: [&str; 5] = [
    "user-account:display_name",
    "user-account:account_login",
    "url:value",
    "domain-name:value",
    "email-addr:value",
];

// ---------------------------------------------------------------------------
// The syntax tree
// ---------------------------------------------------------------------------

/// A stretch of the parsed text, as byte offsets (`start` inclusive, `end`
/// exclusive).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Span {
    /// Offset of the first byte.
    pub start: usize,
    /// Offset just past the last byte.
    pub end: usize,
}

impl Span {
    fn new(start: usize, end: usize) -> Self {
        Self { start, end }
    }
}

/// A parsed STIX pattern.
///
/// Equality compares what the patterns say, not where: spans are ignored.
#[derive(Debug, Clone, PartialEq)]
pub struct Pattern {
    /// The pattern's observation expression.
    pub expression: ObservationExpr,
}

/// An observation expression: observations combined and qualified.
///
/// The binary operators are left-associative, so `A AND B AND C` is
/// `And(And(A, B), C)`. Parentheses are not kept; the tree's shape records
/// them.
#[derive(Debug, Clone)]
pub enum ObservationExpr {
    /// One observation, `[ comparison ]`.
    Observation {
        /// The comparison expression inside the brackets.
        comparison: ComparisonExpr,
        /// From the `[` to the `]`, both included.
        span: Span,
    },
    /// `left AND right`: both observations are seen.
    And(Box<ObservationExpr>, Box<ObservationExpr>),
    /// `left OR right`: either observation is seen.
    Or(Box<ObservationExpr>, Box<ObservationExpr>),
    /// `left FOLLOWEDBY right`: the right one is seen after the left one.
    FollowedBy(Box<ObservationExpr>, Box<ObservationExpr>),
    /// An expression followed by a qualifier.
    Qualified {
        /// The qualified expression.
        expr: Box<ObservationExpr>,
        /// The qualifier.
        qualifier: Qualifier,
        /// The qualifier's own text, from its first keyword to its end.
        span: Span,
    },
}

/// A qualifier on an observation expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Qualifier {
    /// `START t'…' STOP t'…'`.
    StartStop {
        /// The start timestamp, as written between the quotes.
        start: String,
        /// The stop timestamp, as written between the quotes.
        stop: String,
    },
    /// `WITHIN n SECONDS`; `seconds` is positive and finite.
    Within {
        /// The length of the window.
        seconds: f64,
    },
    /// `REPEATS n TIMES`; `times` is at least 1.
    Repeats {
        /// How many times the expression must match.
        times: u64,
    },
}

/// A comparison expression, the inside of an observation's brackets.
///
/// `AND` binds tighter than `OR`; both are left-associative.
#[derive(Debug, Clone)]
pub enum ComparisonExpr {
    /// A single property test.
    Test(PropertyTest),
    /// `left AND right`.
    And(Box<ComparisonExpr>, Box<ComparisonExpr>),
    /// `left OR right`.
    Or(Box<ComparisonExpr>, Box<ComparisonExpr>),
}

/// One test of an object property, such as `url:value = 'x'`.
///
/// `value` is set for every operator except [`Operator::In`], whose members
/// are in `set`, and [`Operator::Exists`], which has neither.
#[derive(Debug, Clone)]
pub struct PropertyTest {
    /// The object path tested.
    pub path: ObjectPath,
    /// Whether the test is negated with `NOT`.
    pub negated: bool,
    /// The comparison operator.
    pub op: Operator,
    /// The value compared with; `None` for `IN` and `EXISTS`.
    pub value: Option<Literal>,
    /// The members of the set for `IN` (possibly none); empty otherwise.
    pub set: Vec<Literal>,
    /// The whole test, from the path (or `NOT`/`EXISTS`) to its last token.
    pub span: Span,
}

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Operator {
    /// `=`
    Eq,
    /// `!=`
    NotEq,
    /// `>`
    Gt,
    /// `<`
    Lt,
    /// `>=`
    Ge,
    /// `<=`
    Le,
    /// `IN ( … )`
    In,
    /// `LIKE 'pattern'`
    Like,
    /// `MATCHES 'regex'`
    Matches,
    /// `ISSUBSET 'cidr'`
    IsSubset,
    /// `ISSUPERSET 'cidr'`
    IsSuperset,
    /// `EXISTS path`
    Exists,
}

impl Operator {
    /// The operator as written in a pattern.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Eq => "=",
            Self::NotEq => "!=",
            Self::Gt => ">",
            Self::Lt => "<",
            Self::Ge => ">=",
            Self::Le => "<=",
            Self::In => "IN",
            Self::Like => "LIKE",
            Self::Matches => "MATCHES",
            Self::IsSubset => "ISSUBSET",
            Self::IsSuperset => "ISSUPERSET",
            Self::Exists => "EXISTS",
        }
    }
}

impl fmt::Display for Operator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An object path such as `file:hashes.'SHA-256'` or
/// `process:child_refs[*].name`.
#[derive(Debug, Clone)]
pub struct ObjectPath {
    /// The object type before the colon, such as `user-account`.
    pub object_type: String,
    /// The property steps after the colon; the first is always a
    /// [`PathStep::Key`] in a parsed path.
    pub steps: Vec<PathStep>,
    /// From the object type to the last step.
    pub span: Span,
}

impl ObjectPath {
    /// The part after the colon in canonical form, such as `value` or
    /// `hashes.'SHA-256'`.
    pub fn property(&self) -> String {
        Steps(&self.steps).to_string()
    }
}

/// One step of an object path after the object type.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum PathStep {
    /// A property name (`.name` or `.'quoted name'`), unescaped.
    Key(String),
    /// A list index, `[n]` or `[-n]`.
    Index(i64),
    /// Any list member, `[*]`.
    Any,
}

/// A literal value.
#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    /// An integer such as `-5`.
    Int(i64),
    /// A finite floating-point number such as `.5`.
    Float(f64),
    /// A string, with its escapes resolved.
    Str(String),
    /// `true` or `false`.
    Bool(bool),
    /// A timestamp `t'…'`, as written between the quotes.
    Timestamp(String),
    /// Base64 binary data `b'…'`, as written between the quotes.
    Binary(String),
    /// Hexadecimal binary data `h'…'`, as written between the quotes.
    Hex(String),
}

/// Why a text is not a STIX pattern, and where.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("at byte {offset}: {message}")]
pub struct PatternError {
    /// Byte offset into the input where the problem is; at most its length.
    pub offset: usize,
    /// What was wrong, such as "expected `]`, found `AND`".
    pub message: String,
}

impl PatternError {
    fn new(offset: usize, message: impl Into<String>) -> Self {
        Self {
            offset,
            message: message.into(),
        }
    }

    /// The 1-based column, counted in characters, of the error in its line
    /// of `input` (the text that was parsed).
    pub fn column(&self, input: &str) -> usize {
        let mut column = 1;
        for (i, c) in input.char_indices() {
            if i >= self.offset {
                break;
            }
            column = if c == '\n' { 1 } else { column + 1 };
        }
        column
    }

    /// The 1-based line of the error in `input` (the text that was parsed).
    pub fn line(&self, input: &str) -> usize {
        1 + input
            .char_indices()
            .take_while(|&(i, _)| i < self.offset)
            .filter(|&(_, c)| c == '\n')
            .count()
    }
}

/// A construct in a valid pattern that forewarn cannot match.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unsupported {
    /// Where the construct is in the parsed text.
    pub span: Span,
    /// Why it is not supported, in plain words.
    pub reason: String,
}

impl fmt::Display for Unsupported {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.reason)
    }
}

// ---------------------------------------------------------------------------
// Entry points and queries
// ---------------------------------------------------------------------------

/// Parses a STIX 2.1 pattern. The whole input must be one pattern; white
/// space (and `/* … */` or `// …` comments) around tokens is ignored.
pub fn parse(input: &str) -> Result<Pattern, PatternError> {
    if input.len() > MAX_PATTERN_BYTES {
        let mut at = MAX_PATTERN_BYTES;
        while !input.is_char_boundary(at) {
            at -= 1;
        }
        return Err(PatternError::new(
            at,
            format!(
                "the pattern is {} bytes long; at most {MAX_PATTERN_BYTES} are allowed",
                input.len()
            ),
        ));
    }
    let mut parser = Parser::new(input);
    let expression = parser.observation_expr()?;
    parser.expect(
        &Tok::End,
        "`AND`, `OR`, `FOLLOWEDBY`, a qualifier or the end of the pattern",
    )?;
    Ok(Pattern { expression })
}

impl FromStr for Pattern {
    type Err = PatternError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        parse(s)
    }
}

/// A node of either kind, for walking the tree without recursion.
enum Node<'a> {
    Observation(&'a ObservationExpr),
    Comparison(&'a ComparisonExpr),
}

impl Pattern {
    /// Every property test in the pattern, in the order they are written.
    pub fn tests(&self) -> Vec<&PropertyTest> {
        let mut found = Vec::new();
        let mut stack = vec![Node::Observation(&self.expression)];
        while let Some(node) = stack.pop() {
            match node {
                Node::Observation(expr) => match expr {
                    ObservationExpr::Observation { comparison, .. } => {
                        stack.push(Node::Comparison(comparison));
                    }
                    ObservationExpr::And(l, r)
                    | ObservationExpr::Or(l, r)
                    | ObservationExpr::FollowedBy(l, r) => {
                        stack.push(Node::Observation(r));
                        stack.push(Node::Observation(l));
                    }
                    ObservationExpr::Qualified { expr, .. } => stack.push(Node::Observation(expr)),
                },
                Node::Comparison(expr) => match expr {
                    ComparisonExpr::Test(test) => found.push(test),
                    ComparisonExpr::And(l, r) | ComparisonExpr::Or(l, r) => {
                        stack.push(Node::Comparison(r));
                        stack.push(Node::Comparison(l));
                    }
                },
            }
        }
        found
    }

    /// The first construct forewarn cannot match, or `None` if it can match
    /// the whole pattern.
    ///
    /// forewarn matches observations joined by `AND` and `OR` (no
    /// `FOLLOWEDBY`, no qualifiers) whose comparisons, joined by `AND` and
    /// `OR`, use `=`, `IN` or `LIKE` without `NOT`, on string values, over
    /// one of the [`MATCHABLE_PATHS`]. The tree is searched outermost
    /// first, then left to right, so an unsupported operator between
    /// observations is reported before anything inside them.
    pub fn unsupported(&self) -> Option<Unsupported> {
        let mut stack = vec![Node::Observation(&self.expression)];
        while let Some(node) = stack.pop() {
            match node {
                Node::Observation(expr) => match expr {
                    ObservationExpr::Observation { comparison, .. } => {
                        stack.push(Node::Comparison(comparison));
                    }
                    ObservationExpr::And(l, r) | ObservationExpr::Or(l, r) => {
                        stack.push(Node::Observation(r));
                        stack.push(Node::Observation(l));
                    }
                    ObservationExpr::FollowedBy(..) => {
                        return Some(Unsupported {
                            span: expr.span(),
                            reason: "the FOLLOWEDBY operator is not supported".to_owned(),
                        });
                    }
                    ObservationExpr::Qualified {
                        qualifier, span, ..
                    } => {
                        let name = match qualifier {
                            Qualifier::StartStop { .. } => "START … STOP",
                            Qualifier::Within { .. } => "WITHIN",
                            Qualifier::Repeats { .. } => "REPEATS",
                        };
                        return Some(Unsupported {
                            span: *span,
                            reason: format!("the {name} qualifier is not supported"),
                        });
                    }
                },
                Node::Comparison(expr) => match expr {
                    ComparisonExpr::Test(test) => {
                        if let Some(reason) = unsupported_test(test) {
                            return Some(Unsupported {
                                span: test.span,
                                reason,
                            });
                        }
                    }
                    ComparisonExpr::And(l, r) | ComparisonExpr::Or(l, r) => {
                        stack.push(Node::Comparison(r));
                        stack.push(Node::Comparison(l));
                    }
                },
            }
        }
        None
    }
}

/// Why forewarn cannot match one property test, if it cannot.
fn unsupported_test(test: &PropertyTest) -> Option<String> {
    let path = test.path.to_string();
    if !MATCHABLE_PATHS.contains(&path.as_str()) {
        return Some(format!(
            "object path `{path}` is not one forewarn matches (it matches {})",
            MATCHABLE_PATHS.join(", ")
        ));
    }
    if test.negated {
        return Some("negated comparisons (NOT) are not supported".to_owned());
    }
    let not_string = |what: &str, value: &Literal| {
        format!("the {what} {value} is not a string; forewarn matches string values only")
    };
    match test.op {
        Operator::Eq | Operator::Like => match &test.value {
            Some(Literal::Str(_)) => None,
            Some(other) => Some(not_string("value", other)),
            None => Some(format!("operator {} needs a value", test.op)),
        },
        Operator::In => test
            .set
            .iter()
            .find(|member| !matches!(member, Literal::Str(_)))
            .map(|member| not_string("set member", member)),
        other => Some(format!(
            "operator {other} is not supported (forewarn supports =, IN and LIKE)"
        )),
    }
}

impl ObservationExpr {
    /// The text this expression was parsed from, without any parentheses
    /// around it.
    pub fn span(&self) -> Span {
        let mut first = self;
        let start = loop {
            match first {
                Self::Observation { span, .. } => break span.start,
                Self::And(l, _) | Self::Or(l, _) | Self::FollowedBy(l, _) => first = l,
                Self::Qualified { expr, .. } => first = expr,
            }
        };
        let mut last = self;
        let end = loop {
            match last {
                Self::Observation { span, .. } | Self::Qualified { span, .. } => break span.end,
                Self::And(_, r) | Self::Or(_, r) | Self::FollowedBy(_, r) => last = r,
            }
        };
        Span::new(start, end)
    }

    fn precedence(&self) -> u8 {
        match self {
            Self::FollowedBy(..) => 0,
            Self::Or(..) => 1,
            Self::And(..) => 2,
            Self::Observation { .. } | Self::Qualified { .. } => 3,
        }
    }

    fn as_binary(&self) -> Option<(&Self, &'static str, &Self)> {
        match self {
            Self::And(l, r) => Some((l, "AND", r)),
            Self::Or(l, r) => Some((l, "OR", r)),
            Self::FollowedBy(l, r) => Some((l, "FOLLOWEDBY", r)),
            Self::Observation { .. } | Self::Qualified { .. } => None,
        }
    }
}

impl ComparisonExpr {
    /// The text this expression was parsed from, without any parentheses
    /// around it.
    pub fn span(&self) -> Span {
        let mut first = self;
        let start = loop {
            match first {
                Self::Test(test) => break test.span.start,
                Self::And(l, _) | Self::Or(l, _) => first = l,
            }
        };
        let mut last = self;
        let end = loop {
            match last {
                Self::Test(test) => break test.span.end,
                Self::And(_, r) | Self::Or(_, r) => last = r,
            }
        };
        Span::new(start, end)
    }

    fn precedence(&self) -> u8 {
        match self {
            Self::Or(..) => 0,
            Self::And(..) => 1,
            Self::Test(_) => 2,
        }
    }

    fn as_binary(&self) -> Option<(&Self, &'static str, &Self)> {
        match self {
            Self::And(l, r) => Some((l, "AND", r)),
            Self::Or(l, r) => Some((l, "OR", r)),
            Self::Test(_) => None,
        }
    }
}

// ---------------------------------------------------------------------------
// Equality, ignoring spans and without recursion on long chains
// ---------------------------------------------------------------------------

impl PartialEq for ObservationExpr {
    fn eq(&self, other: &Self) -> bool {
        let mut pending = vec![(self, other)];
        while let Some(pair) = pending.pop() {
            match pair {
                (
                    Self::Observation { comparison: a, .. },
                    Self::Observation { comparison: b, .. },
                ) => {
                    if a != b {
                        return false;
                    }
                }
                (Self::And(al, ar), Self::And(bl, br))
                | (Self::Or(al, ar), Self::Or(bl, br))
                | (Self::FollowedBy(al, ar), Self::FollowedBy(bl, br)) => {
                    pending.push((ar, br));
                    pending.push((al, bl));
                }
                (
                    Self::Qualified {
                        expr: a,
                        qualifier: qa,
                        ..
                    },
                    Self::Qualified {
                        expr: b,
                        qualifier: qb,
                        ..
                    },
                ) => {
                    if qa != qb {
                        return false;
                    }
                    pending.push((a, b));
                }
                _ => return false,
            }
        }
        true
    }
}

impl PartialEq for ComparisonExpr {
    fn eq(&self, other: &Self) -> bool {
        let mut pending = vec![(self, other)];
        while let Some(pair) = pending.pop() {
            match pair {
                (Self::Test(a), Self::Test(b)) => {
                    if a != b {
                        return false;
                    }
                }
                (Self::And(al, ar), Self::And(bl, br)) | (Self::Or(al, ar), Self::Or(bl, br)) => {
                    pending.push((ar, br));
                    pending.push((al, bl));
                }
                _ => return false,
            }
        }
        true
    }
}

impl PartialEq for PropertyTest {
    fn eq(&self, other: &Self) -> bool {
        self.path == other.path
            && self.negated == other.negated
            && self.op == other.op
            && self.value == other.value
            && self.set == other.set
    }
}

impl PartialEq for ObjectPath {
    fn eq(&self, other: &Self) -> bool {
        self.object_type == other.object_type && self.steps == other.steps
    }
}

// ---------------------------------------------------------------------------
// Canonical printing
// ---------------------------------------------------------------------------

impl fmt::Display for Pattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.expression.fmt(f)
    }
}

/// Writes a chain of one left-associative operator without recursing down
/// its left spine: `((a OP b) OP c)` is printed as `a OP b OP c`.
fn write_chain<'e, E: fmt::Display>(
    f: &mut fmt::Formatter<'_>,
    expr: &'e E,
    precedence: impl Fn(&E) -> u8,
    as_binary: impl Fn(&'e E) -> Option<(&'e E, &'static str, &'e E)>,
) -> fmt::Result {
    let level = precedence(expr);
    let mut rights = Vec::new();
    let mut first = expr;
    while let Some((l, op, r)) = as_binary(first)
        && precedence(first) == level
    {
        rights.push((op, r));
        first = l;
    }
    if precedence(first) < level {
        write!(f, "({first})")?;
    } else {
        write!(f, "{first}")?;
    }
    for (op, right) in rights.into_iter().rev() {
        if precedence(right) <= level {
            write!(f, " {op} ({right})")?;
        } else {
            write!(f, " {op} {right}")?;
        }
    }
    Ok(())
}

impl fmt::Display for ObservationExpr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Observation { comparison, .. } => write!(f, "[{comparison}]"),
            Self::And(..) | Self::Or(..) | Self::FollowedBy(..) => {
                write_chain(f, self, Self::precedence, Self::as_binary)
            }
            Self::Qualified { .. } => {
                // Unwind a run of qualifiers without recursion.
                let mut qualifiers = Vec::new();
                let mut base = self;
                while let Self::Qualified {
                    expr, qualifier, ..
                } = base
                {
                    qualifiers.push(qualifier);
                    base = expr;
                }
                if base.precedence() < 3 {
                    write!(f, "({base})")?;
                } else {
                    write!(f, "{base}")?;
                }
                for qualifier in qualifiers.into_iter().rev() {
                    write!(f, " {qualifier}")?;
                }
                Ok(())
            }
        }
    }
}

impl fmt::Display for Qualifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::StartStop { start, stop } => write!(f, "START t'{start}' STOP t'{stop}'"),
            Self::Within { seconds } => write!(f, "WITHIN {seconds} SECONDS"),
            Self::Repeats { times } => write!(f, "REPEATS {times} TIMES"),
        }
    }
}

impl fmt::Display for ComparisonExpr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Test(test) => test.fmt(f),
            Self::And(..) | Self::Or(..) => write_chain(f, self, Self::precedence, Self::as_binary),
        }
    }
}

impl fmt::Display for PropertyTest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let not = if self.negated { "NOT " } else { "" };
        if self.op == Operator::Exists {
            return write!(f, "{not}EXISTS {}", self.path);
        }
        write!(f, "{} {not}{}", self.path, self.op)?;
        if self.op == Operator::In {
            f.write_str(" (")?;
            for (i, member) in self.set.iter().enumerate() {
                if i > 0 {
                    f.write_str(", ")?;
                }
                write!(f, "{member}")?;
            }
            f.write_str(")")?;
        } else if let Some(value) = &self.value {
            write!(f, " {value}")?;
        }
        Ok(())
    }
}

impl fmt::Display for ObjectPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.object_type, Steps(&self.steps))
    }
}

/// The steps of an object path, printed as after the colon.
struct Steps<'a>(&'a [PathStep]);

impl fmt::Display for Steps<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, step) in self.0.iter().enumerate() {
            match step {
                PathStep::Key(name) => {
                    if i > 0 {
                        f.write_char('.')?;
                    }
                    if is_bare_name(name) {
                        f.write_str(name)?;
                    } else {
                        write_quoted(f, name)?;
                    }
                }
                PathStep::Index(n) => write!(f, "[{n}]")?,
                PathStep::Any => f.write_str("[*]")?,
            }
        }
        Ok(())
    }
}

/// Whether a property name can be written without quotes.
fn is_bare_name(name: &str) -> bool {
    let mut bytes = name.bytes();
    bytes
        .next()
        .is_some_and(|b| b.is_ascii_alphabetic() || b == b'_')
        && bytes.all(|b| b.is_ascii_alphanumeric() || b == b'_')
        && Keyword::from_word(name).is_none()
        && name != "true"
        && name != "false"
}

fn write_quoted(f: &mut fmt::Formatter<'_>, text: &str) -> fmt::Result {
    f.write_char('\'')?;
    for c in text.chars() {
        if c == '\'' || c == '\\' {
            f.write_char('\\')?;
        }
        f.write_char(c)?;
    }
    f.write_char('\'')
}

impl fmt::Display for Literal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Int(n) => write!(f, "{n}"),
            Self::Float(x) => {
                // Rust prints the shortest text that reads back as the same
                // number, never with an exponent; keep a point so it reads
                // back as a float rather than an integer.
                let text = x.to_string();
                if x.is_finite() && !text.contains('.') {
                    write!(f, "{text}.0")
                } else {
                    f.write_str(&text)
                }
            }
            Self::Str(s) => write_quoted(f, s),
            Self::Bool(b) => write!(f, "{b}"),
            Self::Timestamp(t) => write!(f, "t'{t}'"),
            Self::Binary(b) => write!(f, "b'{b}'"),
            Self::Hex(h) => write!(f, "h'{h}'"),
        }
    }
}

// ---------------------------------------------------------------------------
// LIKE
// ---------------------------------------------------------------------------

/// Translates a `LIKE` pattern to the source of an equivalent regular
/// expression, anchored at both ends.
///
/// `%` stands for any run of characters (including none) and `_` for
/// exactly one character; everything else is literal, with regular
/// expression metacharacters escaped. The result starts with `(?s)` so
/// that `%` and `_` also match line breaks; matching is case-sensitive.
pub fn like_to_regex(pattern: &str) -> String {
    let mut out = String::with_capacity(pattern.len() + 8);
    out.push_str("(?s)^");
    for c in pattern.chars() {
        match c {
            '%' => out.push_str(".*"),
            '_' => out.push('.'),
            '\\' | '.' | '+' | '*' | '?' | '(' | ')' | '|' | '[' | ']' | '{' | '}' | '^' | '$'
            | '#' | '&' | '-' | '~' => {
                out.push('\\');
                out.push(c);
            }
            _ => out.push(c),
        }
    }
    out.push('$');
    out
}

// ---------------------------------------------------------------------------
// Lexer
// ---------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Keyword {
    And,
    Or,
    Not,
    FollowedBy,
    Like,
    Matches,
    IsSuperset,
    IsSubset,
    Exists,
    In,
    Start,
    Stop,
    Seconds,
    Within,
    Repeats,
    Times,
    Last,
}

impl Keyword {
    const ALL: [Self; 17] = [
        Self::And,
        Self::Or,
        Self::Not,
        Self::FollowedBy,
        Self::Like,
        Self::Matches,
        Self::IsSuperset,
        Self::IsSubset,
        Self::Exists,
        Self::In,
        Self::Start,
        Self::Stop,
        Self::Seconds,
        Self::Within,
        Self::Repeats,
        Self::Times,
        Self::Last,
    ];

    fn as_str(self) -> &'static str {
        match self {
            Self::And => "AND",
            Self::Or => "OR",
            Self::Not => "NOT",
            Self::FollowedBy => "FOLLOWEDBY",
            Self::Like => "LIKE",
            Self::Matches => "MATCHES",
            Self::IsSuperset => "ISSUPERSET",
            Self::IsSubset => "ISSUBSET",
            Self::Exists => "EXISTS",
            Self::In => "IN",
            Self::Start => "START",
            Self::Stop => "STOP",
            Self::Seconds => "SECONDS",
            Self::Within => "WITHIN",
            Self::Repeats => "REPEATS",
            Self::Times => "TIMES",
            Self::Last => "LAST",
        }
    }

    fn from_word(word: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == word)
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Tok<'a> {
    LBracket,
    RBracket,
    LParen,
    RParen,
    Colon,
    Dot,
    Comma,
    Star,
    /// One of `=`, `!=`, `<`, `<=`, `>`, `>=`.
    Cmp(Operator),
    Kw(Keyword),
    Ident(&'a str),
    Int(&'a str),
    Float(&'a str),
    Str(String),
    Bool(bool),
    Timestamp(&'a str),
    Binary(&'a str),
    Hex(&'a str),
    End,
}

#[derive(Debug, Clone)]
struct Token<'a> {
    tok: Tok<'a>,
    span: Span,
}

struct Lexer<'a> {
    src: &'a str,
    pos: usize,
}

impl<'a> Lexer<'a> {
    fn rest(&self) -> &'a str {
        self.src.get(self.pos..).unwrap_or("")
    }

    fn byte(&self, at: usize) -> Option<u8> {
        self.src.as_bytes().get(at).copied()
    }

    fn skip_trivia(&mut self) -> Result<(), PatternError> {
        loop {
            let rest = self.rest();
            let trimmed = rest.trim_start();
            self.pos += rest.len() - trimmed.len();
            if let Some(body) = trimmed.strip_prefix("/*") {
                match body.find("*/") {
                    Some(i) => self.pos += 2 + i + 2,
                    None => return Err(PatternError::new(self.pos, "unterminated comment")),
                }
            } else if trimmed.starts_with("//") {
                self.pos += trimmed.find('\n').unwrap_or(trimmed.len());
            } else {
                return Ok(());
            }
        }
    }

    fn next_token(&mut self) -> Result<Token<'a>, PatternError> {
        self.skip_trivia()?;
        let start = self.pos;
        let Some(c) = self.rest().chars().next() else {
            return Ok(Token {
                tok: Tok::End,
                span: Span::new(start, start),
            });
        };
        let next = self.byte(start + 1);
        let (tok, len) = match c {
            '[' => (Tok::LBracket, 1),
            ']' => (Tok::RBracket, 1),
            '(' => (Tok::LParen, 1),
            ')' => (Tok::RParen, 1),
            ':' => (Tok::Colon, 1),
            ',' => (Tok::Comma, 1),
            '*' => (Tok::Star, 1),
            '=' if next == Some(b'=') => {
                return Err(PatternError::new(
                    start,
                    "`==` is not a STIX operator; equality is written `=`",
                ));
            }
            '=' => (Tok::Cmp(Operator::Eq), 1),
            '!' if next == Some(b'=') => (Tok::Cmp(Operator::NotEq), 2),
            '<' if next == Some(b'=') => (Tok::Cmp(Operator::Le), 2),
            '<' => (Tok::Cmp(Operator::Lt), 1),
            '>' if next == Some(b'=') => (Tok::Cmp(Operator::Ge), 2),
            '>' => (Tok::Cmp(Operator::Gt), 1),
            '\'' => {
                let tok = self.string(start)?;
                return Ok(Token {
                    tok,
                    span: Span::new(start, self.pos),
                });
            }
            '.' if !next.is_some_and(|b| b.is_ascii_digit()) => (Tok::Dot, 1),
            '.' | '+' | '-' | '0'..='9' => {
                let tok = self.number(start)?;
                return Ok(Token {
                    tok,
                    span: Span::new(start, self.pos),
                });
            }
            'a'..='z' | 'A'..='Z' | '_' => {
                let tok = self.word(start)?;
                return Ok(Token {
                    tok,
                    span: Span::new(start, self.pos),
                });
            }
            '!' => {
                return Err(PatternError::new(
                    start,
                    "unexpected character `!`; inequality is written `!=`",
                ));
            }
            other => {
                return Err(PatternError::new(
                    start,
                    format!("unexpected character `{}`", other.escape_debug()),
                ));
            }
        };
        self.pos = start + len;
        Ok(Token {
            tok,
            span: Span::new(start, self.pos),
        })
    }

    /// A string literal; `self.pos` is at its opening quote.
    fn string(&mut self, start: usize) -> Result<Tok<'a>, PatternError> {
        let mut text = String::new();
        let mut chars = self.rest().char_indices().skip(1);
        while let Some((i, c)) = chars.next() {
            match c {
                '\'' => {
                    self.pos = start + i + 1;
                    return Ok(Tok::Str(text));
                }
                '\\' => match chars.next() {
                    Some((_, escaped @ ('\'' | '\\'))) => text.push(escaped),
                    Some((_, other)) => {
                        return Err(PatternError::new(
                            start + i,
                            format!(
                                "invalid escape `\\{}` in a string; only `\\'` and `\\\\` are escapes",
                                other.escape_debug()
                            ),
                        ));
                    }
                    None => break,
                },
                other => text.push(other),
            }
        }
        Err(PatternError::new(start, "unterminated string"))
    }

    /// An integer or float, with an optional sign.
    fn number(&mut self, start: usize) -> Result<Tok<'a>, PatternError> {
        let is_digit = |b: Option<u8>| b.is_some_and(|b| b.is_ascii_digit());
        let mut at = start;
        if matches!(self.byte(at), Some(b'+' | b'-')) {
            at += 1;
        }
        let digits_start = at;
        while is_digit(self.byte(at)) {
            at += 1;
        }
        let digits_end = at;
        if self.byte(at) == Some(b'.') && is_digit(self.byte(at + 1)) {
            at += 1;
            while is_digit(self.byte(at)) {
                at += 1;
            }
            self.pos = at;
            return Ok(Tok::Float(self.src.get(start..at).unwrap_or("")));
        }
        let text = self.src.get(start..at).unwrap_or("");
        if digits_start == digits_end {
            return Err(PatternError::new(
                start,
                format!("expected a number after `{text}`"),
            ));
        }
        if digits_end - digits_start > 1 && self.byte(digits_start) == Some(b'0') {
            return Err(PatternError::new(
                start,
                format!("leading zeros are not allowed in the integer `{text}`"),
            ));
        }
        self.pos = at;
        Ok(Tok::Int(text))
    }

    /// An identifier, keyword, boolean or typed literal (`t'…'`, `b'…'`,
    /// `h'…'`).
    fn word(&mut self, start: usize) -> Result<Tok<'a>, PatternError> {
        if let Some(prefix @ (b't' | b'b' | b'h')) = self.byte(start)
            && self.byte(start + 1) == Some(b'\'')
        {
            return self.typed_literal(start, prefix);
        }
        let mut at = start + 1;
        while self
            .byte(at)
            .is_some_and(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
        {
            at += 1;
        }
        self.pos = at;
        let word = self.src.get(start..at).unwrap_or("");
        Ok(match word {
            "true" => Tok::Bool(true),
            "false" => Tok::Bool(false),
            _ => Keyword::from_word(word).map_or(Tok::Ident(word), Tok::Kw),
        })
    }

    fn typed_literal(&mut self, start: usize, prefix: u8) -> Result<Tok<'a>, PatternError> {
        let kind = match prefix {
            b't' => "timestamp",
            b'b' => "binary",
            _ => "hex",
        };
        let body_start = start + 2;
        let rest = self.src.get(body_start..).unwrap_or("");
        let Some(len) = rest.find('\'') else {
            return Err(PatternError::new(
                start,
                format!("unterminated {kind} literal"),
            ));
        };
        let body = rest.get(..len).unwrap_or("");
        let checked = match prefix {
            b't' => check_timestamp(body).map(|()| Tok::Timestamp(body)),
            b'b' => check_base64(body).map(|()| Tok::Binary(body)),
            _ => check_hex(body).map(|()| Tok::Hex(body)),
        };
        let tok = checked.map_err(|why| {
            PatternError::new(
                start,
                format!("invalid {kind} literal `{}`: {why}", snippet(body)),
            )
        })?;
        self.pos = body_start + len + 1;
        Ok(tok)
    }
}

/// Checks `YYYY-MM-DDTHH:MM:SS[.fraction]Z` and that the date and time
/// exist.
fn check_timestamp(text: &str) -> Result<(), String> {
    const SHAPE: &str = "expected the form YYYY-MM-DDTHH:MM:SSZ, optionally with a fraction of a second before the Z";
    let bytes = text.as_bytes();
    let number = |from: usize, to: usize| -> Result<u16, String> {
        let digits = bytes.get(from..to).ok_or(SHAPE)?;
        if !digits.iter().all(u8::is_ascii_digit) {
            return Err(SHAPE.to_owned());
        }
        Ok(digits.iter().fold(0, |n, d| n * 10 + u16::from(d - b'0')))
    };
    let punctuation = [(4, b'-'), (7, b'-'), (10, b'T'), (13, b':'), (16, b':')];
    if punctuation
        .iter()
        .any(|&(at, want)| bytes.get(at) != Some(&want))
        || bytes.last() != Some(&b'Z')
    {
        return Err(SHAPE.to_owned());
    }
    let year = number(0, 4)?;
    let month = number(5, 7)?;
    let day = number(8, 10)?;
    let hour = number(11, 13)?;
    let minute = number(14, 16)?;
    let second = number(17, 19)?;
    // An optional fraction of a second: a point and at least one digit.
    let fraction = bytes.get(19..bytes.len() - 1).unwrap_or_default();
    if let Some((&first, digits)) = fraction.split_first()
        && (first != b'.' || digits.is_empty() || !digits.iter().all(u8::is_ascii_digit))
    {
        return Err(SHAPE.to_owned());
    }
    let small = |n: u16| u8::try_from(n).map_err(|e| e.to_string());
    let month = time::Month::try_from(small(month)?).map_err(|e| e.to_string())?;
    time::Date::from_calendar_date(i32::from(year), month, small(day)?)
        .map_err(|e| e.to_string())?;
    // A second of 60 is a leap second, which RFC 3339 allows.
    time::Time::from_hms(small(hour)?, small(minute)?, small(second.min(59))?)
        .map_err(|e| e.to_string())?;
    if second > 60 {
        return Err("second must be in the range 0..=60".to_owned());
    }
    Ok(())
}

/// Checks the shape of base64 text: groups of four characters, the last
/// possibly padded with one or two `=`.
fn check_base64(text: &str) -> Result<(), String> {
    if !text.len().is_multiple_of(4) {
        return Err(format!(
            "base64 is written in groups of 4 characters, and this has {}",
            text.chars().count()
        ));
    }
    let padding = text.bytes().rev().take_while(|&b| b == b'=').count();
    if padding > 2 {
        return Err("base64 ends with at most two `=`".to_owned());
    }
    let data = text.get(..text.len() - padding).unwrap_or("");
    match data
        .chars()
        .find(|&c| !(c.is_ascii_alphanumeric() || c == '+' || c == '/'))
    {
        Some(c) => Err(format!("`{}` is not a base64 character", c.escape_debug())),
        None => Ok(()),
    }
}

fn check_hex(text: &str) -> Result<(), String> {
    if let Some(c) = text.chars().find(|c| !c.is_ascii_hexdigit()) {
        return Err(format!("`{}` is not a hexadecimal digit", c.escape_debug()));
    }
    if !text.len().is_multiple_of(2) {
        return Err("hex is written two digits to a byte, and this has an odd number".to_owned());
    }
    Ok(())
}

/// Text for a message, shortened if long.
fn snippet(text: &str) -> String {
    const MAX: usize = 32;
    if text.chars().count() > MAX {
        let head: String = text.chars().take(MAX - 3).collect();
        format!("{head}...")
    } else {
        text.to_owned()
    }
}

// ---------------------------------------------------------------------------
// Parser
// ---------------------------------------------------------------------------

const OPERATORS: &str = "a comparison operator (`=`, `!=`, `<`, `<=`, `>`, `>=`, `IN`, `LIKE`, `MATCHES`, `ISSUBSET` or `ISSUPERSET`)";

struct Parser<'a> {
    src: &'a str,
    lexer: Lexer<'a>,
    peeked: Option<Token<'a>>,
    /// The end of the last token taken.
    last_end: usize,
    /// How many brackets and parentheses are open.
    depth: usize,
}

impl<'a> Parser<'a> {
    fn new(src: &'a str) -> Self {
        Self {
            src,
            lexer: Lexer { src, pos: 0 },
            peeked: None,
            last_end: 0,
            depth: 0,
        }
    }

    fn peek(&mut self) -> Result<&Token<'a>, PatternError> {
        let token = match self.peeked.take() {
            Some(token) => token,
            None => self.lexer.next_token()?,
        };
        Ok(self.peeked.insert(token))
    }

    fn bump(&mut self) -> Result<Token<'a>, PatternError> {
        let token = match self.peeked.take() {
            Some(token) => token,
            None => self.lexer.next_token()?,
        };
        self.last_end = token.span.end;
        Ok(token)
    }

    fn peek_is(&mut self, tok: &Tok<'_>) -> Result<bool, PatternError> {
        Ok(&self.peek()?.tok == tok)
    }

    fn eat_keyword(&mut self, keyword: Keyword) -> Result<bool, PatternError> {
        let found = self.peek_is(&Tok::Kw(keyword))?;
        if found {
            self.bump()?;
        }
        Ok(found)
    }

    fn expect(&mut self, want: &Tok<'_>, expected: &str) -> Result<Token<'a>, PatternError> {
        let token = self.bump()?;
        if &token.tok == want {
            Ok(token)
        } else {
            Err(self.unexpected(&token, expected))
        }
    }

    /// "expected …, found …" at `token`.
    fn unexpected(&self, token: &Token<'_>, expected: &str) -> PatternError {
        let found = if token.tok == Tok::End {
            "the end of the pattern".to_owned()
        } else {
            let text = self.src.get(token.span.start..token.span.end).unwrap_or("");
            format!("`{}`", snippet(text))
        };
        let mut message = format!("expected {expected}, found {found}");
        if let Tok::Ident(word) = token.tok {
            if let Some(keyword) = Keyword::from_word(&word.to_ascii_uppercase()) {
                message.push_str(&format!(
                    " (keywords are upper case: `{}`)",
                    keyword.as_str()
                ));
            } else if word.eq_ignore_ascii_case("true") || word.eq_ignore_ascii_case("false") {
                message.push_str(" (booleans are lower case)");
            }
        }
        PatternError::new(token.span.start, message)
    }

    fn open(&mut self, at: usize) -> Result<(), PatternError> {
        self.depth += 1;
        if self.depth > MAX_NESTING {
            return Err(PatternError::new(
                at,
                format!("brackets and parentheses nest more than {MAX_NESTING} deep"),
            ));
        }
        Ok(())
    }

    fn close(&mut self) {
        self.depth = self.depth.saturating_sub(1);
    }

    // Observation expressions -------------------------------------------

    fn observation_expr(&mut self) -> Result<ObservationExpr, PatternError> {
        let mut left = self.observation_or()?;
        while self.eat_keyword(Keyword::FollowedBy)? {
            let right = self.observation_or()?;
            left = ObservationExpr::FollowedBy(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn observation_or(&mut self) -> Result<ObservationExpr, PatternError> {
        let mut left = self.observation_and()?;
        while self.eat_keyword(Keyword::Or)? {
            let right = self.observation_and()?;
            left = ObservationExpr::Or(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn observation_and(&mut self) -> Result<ObservationExpr, PatternError> {
        let mut left = self.observation_term()?;
        while self.eat_keyword(Keyword::And)? {
            let right = self.observation_term()?;
            left = ObservationExpr::And(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn observation_term(&mut self) -> Result<ObservationExpr, PatternError> {
        let open = self.bump()?;
        let mut expr = match open.tok {
            Tok::LBracket => {
                self.open(open.span.start)?;
                let comparison = self.comparison_or()?;
                self.expect(&Tok::RBracket, "`AND`, `OR` or `]`")?;
                self.close();
                ObservationExpr::Observation {
                    comparison,
                    span: Span::new(open.span.start, self.last_end),
                }
            }
            Tok::LParen => {
                self.open(open.span.start)?;
                let inner = self.observation_expr()?;
                self.expect(
                    &Tok::RParen,
                    "`AND`, `OR`, `FOLLOWEDBY`, a qualifier or `)`",
                )?;
                self.close();
                inner
            }
            _ => return Err(self.unexpected(&open, "`[` or `(`")),
        };
        loop {
            let start = self.peek()?.span.start;
            let qualifier = if self.eat_keyword(Keyword::Start)? {
                let start = self.timestamp()?;
                self.expect(&Tok::Kw(Keyword::Stop), "`STOP`")?;
                let stop = self.timestamp()?;
                Qualifier::StartStop { start, stop }
            } else if self.eat_keyword(Keyword::Within)? {
                let seconds = self.seconds()?;
                self.expect(&Tok::Kw(Keyword::Seconds), "`SECONDS`")?;
                Qualifier::Within { seconds }
            } else if self.eat_keyword(Keyword::Repeats)? {
                let times = self.times()?;
                self.expect(&Tok::Kw(Keyword::Times), "`TIMES`")?;
                Qualifier::Repeats { times }
            } else {
                break;
            };
            expr = ObservationExpr::Qualified {
                expr: Box::new(expr),
                qualifier,
                span: Span::new(start, self.last_end),
            };
        }
        Ok(expr)
    }

    fn timestamp(&mut self) -> Result<String, PatternError> {
        let token = self.bump()?;
        match token.tok {
            Tok::Timestamp(text) => Ok(text.to_owned()),
            _ => Err(self.unexpected(&token, "a timestamp such as t'2025-01-01T00:00:00Z'")),
        }
    }

    fn seconds(&mut self) -> Result<f64, PatternError> {
        let token = self.bump()?;
        let (Tok::Int(text) | Tok::Float(text)) = token.tok else {
            return Err(self.unexpected(&token, "a number of seconds"));
        };
        match text.parse::<f64>() {
            Ok(seconds) if seconds > 0.0 && seconds.is_finite() && !text.starts_with('-') => {
                Ok(seconds)
            }
            _ => Err(PatternError::new(
                token.span.start,
                format!("`WITHIN` needs a positive number of seconds, not `{text}`"),
            )),
        }
    }

    fn times(&mut self) -> Result<u64, PatternError> {
        let token = self.bump()?;
        let Tok::Int(text) = token.tok else {
            return Err(self.unexpected(&token, "a whole number of times"));
        };
        match text.parse::<u64>() {
            Ok(times) if times > 0 => Ok(times),
            _ => Err(PatternError::new(
                token.span.start,
                format!("`REPEATS` needs a positive whole number, not `{text}`"),
            )),
        }
    }

    // Comparison expressions --------------------------------------------

    fn comparison_or(&mut self) -> Result<ComparisonExpr, PatternError> {
        let mut left = self.comparison_and()?;
        while self.eat_keyword(Keyword::Or)? {
            let right = self.comparison_and()?;
            left = ComparisonExpr::Or(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn comparison_and(&mut self) -> Result<ComparisonExpr, PatternError> {
        let mut left = self.comparison_term()?;
        while self.eat_keyword(Keyword::And)? {
            let right = self.comparison_term()?;
            left = ComparisonExpr::And(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn comparison_term(&mut self) -> Result<ComparisonExpr, PatternError> {
        let first = self.peek()?;
        let start = first.span.start;
        match first.tok {
            Tok::LParen => {
                self.bump()?;
                self.open(start)?;
                let inner = self.comparison_or()?;
                self.expect(&Tok::RParen, "`AND`, `OR` or `)`")?;
                self.close();
                Ok(inner)
            }
            Tok::Kw(Keyword::Not | Keyword::Exists) => {
                let negated = self.eat_keyword(Keyword::Not)?;
                self.expect(&Tok::Kw(Keyword::Exists), "`EXISTS`")?;
                let path = self.object_path()?;
                Ok(ComparisonExpr::Test(PropertyTest {
                    path,
                    negated,
                    op: Operator::Exists,
                    value: None,
                    set: Vec::new(),
                    span: Span::new(start, self.last_end),
                }))
            }
            Tok::Ident(_) => self.property_test(start).map(ComparisonExpr::Test),
            _ => {
                let token = self.bump()?;
                Err(self.unexpected(&token, "an object path, `(` or `EXISTS`"))
            }
        }
    }

    fn property_test(&mut self, start: usize) -> Result<PropertyTest, PatternError> {
        let path = self.object_path()?;
        let negated = self.eat_keyword(Keyword::Not)?;
        let token = self.bump()?;
        let (op, value, set) = match token.tok {
            Tok::Cmp(op @ (Operator::Eq | Operator::NotEq)) => {
                (op, Some(self.literal(true)?), Vec::new())
            }
            Tok::Cmp(op) => (op, Some(self.literal(false)?), Vec::new()),
            Tok::Kw(Keyword::In) => (Operator::In, None, self.set()?),
            Tok::Kw(
                keyword @ (Keyword::Like
                | Keyword::Matches
                | Keyword::IsSubset
                | Keyword::IsSuperset),
            ) => {
                let op = match keyword {
                    Keyword::Like => Operator::Like,
                    Keyword::Matches => Operator::Matches,
                    Keyword::IsSubset => Operator::IsSubset,
                    _ => Operator::IsSuperset,
                };
                (op, Some(Literal::Str(self.string_after(op)?)), Vec::new())
            }
            _ if negated => return Err(self.unexpected(&token, OPERATORS)),
            _ => {
                return Err(self.unexpected(&token, &format!("`NOT` or {OPERATORS}")));
            }
        };
        Ok(PropertyTest {
            path,
            negated,
            op,
            value,
            set,
            span: Span::new(start, self.last_end),
        })
    }

    fn object_path(&mut self) -> Result<ObjectPath, PatternError> {
        let token = self.bump()?;
        let Tok::Ident(object_type) = token.tok else {
            return Err(self.unexpected(&token, "an object type such as `file` or `user-account`"));
        };
        let start = token.span.start;
        self.expect(&Tok::Colon, "`:` after the object type")?;
        let mut steps = vec![PathStep::Key(self.property_name()?)];
        loop {
            if self.peek_is(&Tok::Dot)? {
                self.bump()?;
                steps.push(PathStep::Key(self.property_name()?));
            } else if self.peek_is(&Tok::LBracket)? {
                self.bump()?;
                let token = self.bump()?;
                let step = match token.tok {
                    Tok::Int(text) => PathStep::Index(text.parse::<i64>().map_err(|_| {
                        PatternError::new(
                            token.span.start,
                            format!("the list index `{text}` is out of range"),
                        )
                    })?),
                    Tok::Star => PathStep::Any,
                    _ => return Err(self.unexpected(&token, "a list index or `*`")),
                };
                self.expect(&Tok::RBracket, "`]`")?;
                steps.push(step);
            } else {
                break;
            }
        }
        Ok(ObjectPath {
            object_type: object_type.to_owned(),
            steps,
            span: Span::new(start, self.last_end),
        })
    }

    fn property_name(&mut self) -> Result<String, PatternError> {
        let token = self.bump()?;
        match token.tok {
            Tok::Ident(name) if name.contains('-') => Err(PatternError::new(
                token.span.start,
                format!("the property name `{name}` contains `-`; write it quoted, as '{name}'"),
            )),
            Tok::Ident(name) => Ok(name.to_owned()),
            Tok::Str(name) => Ok(name),
            _ => Err(self.unexpected(&token, "a property name")),
        }
    }

    /// Any literal, or with `allow_bool` false any that can be ordered.
    fn literal(&mut self, allow_bool: bool) -> Result<Literal, PatternError> {
        let token = self.bump()?;
        let out_of_range = |text: &str| {
            PatternError::new(
                token.span.start,
                format!("the number `{}` is out of range", snippet(text)),
            )
        };
        match token.tok {
            Tok::Int(text) => text
                .parse::<i64>()
                .map(Literal::Int)
                .map_err(|_| out_of_range(text)),
            Tok::Float(text) => match text.parse::<f64>() {
                Ok(x) if x.is_finite() => Ok(Literal::Float(x)),
                _ => Err(out_of_range(text)),
            },
            Tok::Str(s) => Ok(Literal::Str(s)),
            Tok::Bool(b) if allow_bool => Ok(Literal::Bool(b)),
            Tok::Timestamp(t) => Ok(Literal::Timestamp(t.to_owned())),
            Tok::Binary(b) => Ok(Literal::Binary(b.to_owned())),
            Tok::Hex(h) => Ok(Literal::Hex(h.to_owned())),
            Tok::Bool(_) => Err(self.unexpected(
                &token,
                "a value that can be ordered (a number, string, timestamp, binary or hex)",
            )),
            _ => Err(self.unexpected(&token, "a literal value")),
        }
    }

    fn string_after(&mut self, op: Operator) -> Result<String, PatternError> {
        let token = self.bump()?;
        match token.tok {
            Tok::Str(s) => Ok(s),
            _ => Err(self.unexpected(&token, &format!("a string after `{op}`"))),
        }
    }

    fn set(&mut self) -> Result<Vec<Literal>, PatternError> {
        self.expect(&Tok::LParen, "`(` opening the set after `IN`")?;
        let mut members = Vec::new();
        if self.peek_is(&Tok::RParen)? {
            self.bump()?;
            return Ok(members);
        }
        loop {
            members.push(self.literal(true)?);
            let token = self.bump()?;
            match token.tok {
                Tok::Comma => {}
                Tok::RParen => return Ok(members),
                _ => return Err(self.unexpected(&token, "`,` or `)`")),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn ok(input: &str) -> Pattern {
        match parse(input) {
            Ok(pattern) => pattern,
            Err(e) => panic!("{input:?} should parse, but: {e}"),
        }
    }

    fn err(input: &str) -> PatternError {
        match parse(input) {
            Ok(pattern) => panic!("{input:?} should not parse, but gave {pattern}"),
            Err(e) => e,
        }
    }

    /// Asserts the error's offset and that its message contains `words`.
    fn fails_at(input: &str, offset: usize, words: &str) {
        let e = err(input);
        assert_eq!(e.offset, offset, "{input:?}: {e}");
        assert!(e.message.contains(words), "{input:?}: {e}");
    }

    fn round_trips(input: &str) -> Pattern {
        let pattern = ok(input);
        let printed = pattern.to_string();
        let again = ok(&printed);
        assert_eq!(again, pattern, "{input:?} printed as {printed:?}");
        assert_eq!(again.to_string(), printed);
        pattern
    }

    fn single_test(pattern: &Pattern) -> &PropertyTest {
        let tests = pattern.tests();
        assert_eq!(tests.len(), 1, "{pattern}");
        tests[0]
    }

    fn key(name: &str) -> PathStep {
        PathStep::Key(name.to_owned())
    }

    #[test]
    fn reads_a_simple_observation() {
        let input = "[domain-name:value = 'hugesoft.org']";
        let pattern = round_trips(input);
        assert_eq!(pattern.to_string(), input);
        let ObservationExpr::Observation { comparison, span } = &pattern.expression else {
            panic!("{pattern:?}");
        };
        assert_eq!(*span, Span::new(0, input.len()));
        let ComparisonExpr::Test(test) = comparison else {
            panic!("{comparison:?}");
        };
        assert_eq!(test.path.object_type, "domain-name");
        assert_eq!(test.path.steps, vec![key("value")]);
        assert_eq!(test.path.span, Span::new(1, 18));
        assert_eq!(test.op, Operator::Eq);
        assert!(!test.negated);
        assert_eq!(test.value, Some(Literal::Str("hugesoft.org".to_owned())));
        assert_eq!(test.span, Span::new(1, input.len() - 1));
        assert_eq!(pattern.unsupported(), None);
    }

    #[test]
    fn reads_quoted_path_components() {
        let pattern = round_trips("[file:hashes.'SHA-256' = 'aa'] AND [url:value LIKE '%x%']");
        let ObservationExpr::And(left, right) = &pattern.expression else {
            panic!("{pattern:?}");
        };
        assert!(matches!(**left, ObservationExpr::Observation { .. }));
        assert!(matches!(**right, ObservationExpr::Observation { .. }));
        let tests = pattern.tests();
        assert_eq!(tests.len(), 2);
        assert_eq!(tests[0].path.steps, vec![key("hashes"), key("SHA-256")]);
        assert_eq!(tests[0].path.property(), "hashes.'SHA-256'");
        assert_eq!(tests[1].op, Operator::Like);
        assert_eq!(tests[1].path.property(), "value");
    }

    #[test]
    fn reads_followedby_and_qualifiers() {
        let input = "([a:b = 1] OR [c:d = 2]) FOLLOWEDBY [e:f != true] WITHIN 600 SECONDS";
        let pattern = round_trips(input);
        // FOLLOWEDBY binds loosest, so the parentheses are not needed.
        assert_eq!(
            pattern.to_string(),
            "[a:b = 1] OR [c:d = 2] FOLLOWEDBY [e:f != true] WITHIN 600 SECONDS"
        );
        let ObservationExpr::FollowedBy(left, right) = &pattern.expression else {
            panic!("{pattern:?}");
        };
        assert!(matches!(**left, ObservationExpr::Or(..)));
        let ObservationExpr::Qualified {
            qualifier, span, ..
        } = &**right
        else {
            panic!("{right:?}");
        };
        assert_eq!(*qualifier, Qualifier::Within { seconds: 600.0 });
        assert_eq!(input.get(span.start..span.end), Some("WITHIN 600 SECONDS"));
        assert_eq!(pattern.expression.span(), Span::new(1, input.len()));
        let tests = pattern.tests();
        assert_eq!(tests[0].value, Some(Literal::Int(1)));
        assert_eq!(tests[2].op, Operator::NotEq);
        assert_eq!(tests[2].value, Some(Literal::Bool(true)));
    }

    #[test]
    fn reads_the_specification_style_examples() {
        for input in [
            "[x509-certificate:issuer = 'CN=WEBMAIL' AND x509-certificate:serial_number = '4c:0b']",
            "[network-traffic:extensions.'http-request-ext'.request_header.'Accept-Encoding' = 'gzip']",
            "[process:child_refs[*].name = 'a']",
            "[user-account:display_name IN ('Amanda Qiu', 'Shirley Shen')]",
            "[email-addr:value = 'a@b.example'] START t'2025-01-01T00:00:00Z' STOP t'2025-12-31T23:59:59.5Z'",
            "[file:name = 'it\\'s']",
            "[file:size > 1024 AND file:size <= 4096.5] REPEATS 5 TIMES",
            "[ipv4-addr:value ISSUBSET '198.51.100.0/24']",
            "[ipv4-addr:value NOT ISSUPERSET '198.51.100.0/24']",
            "[file:name MATCHES '^.*\\\\.exe$']",
            "[NOT EXISTS file:parent_directory_ref] OR [EXISTS file:name]",
            "[artifact:payload_bin = b'dGVzdA=='] AND [artifact:payload_bin = h'0aFF']",
            "[file:created > t'2016-02-29T00:00:00.000Z']",
            "[a:b[-1] = -5 OR a:b[0] = +7 OR a:c = .5 OR a:d = -0.25]",
            "[x-custom-type:x_field = false]",
            "[a:b IN ()]",
            "[a:'quoted first'.x = 1]",
            "(([a:b = 1])) AND ((([c:d = 2] OR [e:f = 3]))) WITHIN 0.5 SECONDS",
            "[a:b = 1] REPEATS 2 TIMES WITHIN 10 SECONDS",
            "  [a:b = 1]\n\tAND\r\n[c:d = 2]  ",
            "[a:b = 1 /* note */] // trailing comment",
        ] {
            round_trips(input);
        }
    }

    #[test]
    fn unescapes_strings() {
        let pattern = round_trips("[file:name = 'it\\'s a \\\\ path']");
        assert_eq!(
            single_test(&pattern).value,
            Some(Literal::Str("it's a \\ path".to_owned()))
        );
        assert_eq!(pattern.to_string(), "[file:name = 'it\\'s a \\\\ path']");
    }

    #[test]
    fn reads_every_literal_kind() {
        let pattern = ok(
            "[a:b IN (0, -5, +7, 1.5, .5, -0.25, 'x', true, false, t'2025-11-18T00:00:00Z', b'', h'')]",
        );
        assert_eq!(
            single_test(&pattern).set,
            vec![
                Literal::Int(0),
                Literal::Int(-5),
                Literal::Int(7),
                Literal::Float(1.5),
                Literal::Float(0.5),
                Literal::Float(-0.25),
                Literal::Str("x".to_owned()),
                Literal::Bool(true),
                Literal::Bool(false),
                Literal::Timestamp("2025-11-18T00:00:00Z".to_owned()),
                Literal::Binary(String::new()),
                Literal::Hex(String::new()),
            ]
        );
        assert_eq!(
            pattern.to_string(),
            "[a:b IN (0, -5, 7, 1.5, 0.5, -0.25, 'x', true, false, t'2025-11-18T00:00:00Z', b'', h'')]"
        );
        let floats = ok("[a:b = 1.0 AND a:c = 100.000]");
        assert_eq!(floats.to_string(), "[a:b = 1.0 AND a:c = 100.0]");
        assert_eq!(ok(&floats.to_string()), floats);
    }

    #[test]
    fn precedence_and_associativity() {
        let pattern = ok("[a:b = 1 OR a:c = 2 AND a:d = 3]");
        let ObservationExpr::Observation { comparison, .. } = &pattern.expression else {
            panic!("{pattern:?}");
        };
        let ComparisonExpr::Or(_, right) = comparison else {
            panic!("{comparison:?}");
        };
        assert!(matches!(**right, ComparisonExpr::And(..)));

        let pattern = ok("[a:b = 1] AND [a:b = 2] AND [a:b = 3]");
        let ObservationExpr::And(left, _) = &pattern.expression else {
            panic!("{pattern:?}");
        };
        assert!(matches!(**left, ObservationExpr::And(..)));

        // Parentheses that change the shape are kept when printing, the
        // others are dropped.
        let pattern = round_trips("[a:b = 1] AND ([a:b = 2] AND [a:b = 3])");
        assert_eq!(
            pattern.to_string(),
            "[a:b = 1] AND ([a:b = 2] AND [a:b = 3])"
        );
        let pattern = round_trips("([a:b = 1] AND [a:b = 2]) AND [a:b = 3]");
        assert_eq!(pattern.to_string(), "[a:b = 1] AND [a:b = 2] AND [a:b = 3]");
        let pattern = round_trips("[(a:b = 1 OR a:c = 2) AND a:d = 3]");
        assert_eq!(pattern.to_string(), "[(a:b = 1 OR a:c = 2) AND a:d = 3]");
        let pattern = round_trips("[a:b = 1] FOLLOWEDBY ([a:b = 2] FOLLOWEDBY [a:b = 3])");
        assert_eq!(
            pattern.to_string(),
            "[a:b = 1] FOLLOWEDBY ([a:b = 2] FOLLOWEDBY [a:b = 3])"
        );
        // A qualifier binds to the term before it.
        let pattern = ok("[a:b = 1] AND [a:b = 2] WITHIN 5 SECONDS");
        let ObservationExpr::And(_, right) = &pattern.expression else {
            panic!("{pattern:?}");
        };
        assert!(matches!(**right, ObservationExpr::Qualified { .. }));
        let pattern = round_trips("([a:b = 1] AND [a:b = 2]) WITHIN 5 SECONDS");
        assert_eq!(
            pattern.to_string(),
            "([a:b = 1] AND [a:b = 2]) WITHIN 5 SECONDS"
        );
    }

    #[test]
    fn prints_awkward_property_names_quoted() {
        let pattern = ok("[a:'AND'.'true'.'x y'.'1st'.plain = 1]");
        let path = &single_test(&pattern).path;
        assert_eq!(path.property(), "'AND'.'true'.'x y'.'1st'.plain");
        assert_eq!(ok("[a:'plain' = 1]"), ok("[a:plain = 1]"));
        assert_eq!(ok("[a:'plain' = 1]").to_string(), "[a:plain = 1]");
    }

    #[test]
    fn equality_ignores_spans() {
        assert_eq!(ok("[a:b = 1]"), ok("  [ a:b=1 ]"));
        assert_ne!(ok("[a:b = 1]"), ok("[a:b = 2]"));
        assert_ne!(ok("[a:b = 1] AND [a:b = 1]"), ok("[a:b = 1] OR [a:b = 1]"));
        assert_ne!(ok("[a:b = 1]"), ok("[a:b NOT = 1]"));
        assert_ne!(
            ok("[a:b = 1] WITHIN 5 SECONDS"),
            ok("[a:b = 1] WITHIN 6 SECONDS")
        );
    }

    #[test]
    fn reports_a_missing_bracket() {
        fails_at(
            "[domain-name:value = 'x'",
            24,
            "expected `AND`, `OR` or `]`, found the end of the pattern",
        );
        fails_at(
            "[domain-name:value = 'x' AND [url:value = 'y']",
            29,
            "expected an object path, `(` or `EXISTS`, found `[`",
        );
    }

    #[test]
    fn reports_double_equals() {
        fails_at("[url:value == 'x']", 11, "`==` is not a STIX operator");
    }

    #[test]
    fn reports_lower_case_keywords() {
        let e = err("[url:value = 'a' and url:value = 'b']");
        assert_eq!(e.offset, 17);
        assert_eq!(
            e.message,
            "expected `AND`, `OR` or `]`, found `and` (keywords are upper case: `AND`)"
        );
        fails_at(
            "[url:value like 'a']",
            11,
            "keywords are upper case: `LIKE`",
        );
        fails_at("[a:b = TRUE]", 7, "booleans are lower case");
    }

    #[test]
    fn reports_bad_strings() {
        fails_at("[url:value = 'abc]", 13, "unterminated string");
        fails_at("[url:value = 'abc\\']", 13, "unterminated string");
        fails_at("[url:value = 'a\\nb']", 15, "invalid escape `\\n`");
        fails_at("[url:value = 'a\\", 13, "unterminated string");
    }

    #[test]
    fn reports_bad_typed_literals() {
        fails_at("[a:b = t'2025-13-01T00:00:00Z']", 7, "month");
        fails_at("[a:b = t'2025-02-29T00:00:00Z']", 7, "day");
        fails_at("[a:b = t'2025-01-01T24:00:00Z']", 7, "hour");
        fails_at("[a:b = t'2025-01-01T00:00:00']", 7, "expected the form");
        fails_at("[a:b = t'2025-01-01T00:00:00.Z']", 7, "expected the form");
        fails_at("[a:b = t'2025-01-01 00:00:00Z']", 7, "expected the form");
        fails_at("[a:b = t'2025-01-01T00:00:00Z", 7, "unterminated timestamp");
        fails_at("[a:b = b'abc']", 7, "groups of 4");
        fails_at("[a:b = b'ab=c']", 7, "`=` is not a base64 character");
        fails_at("[a:b = b'a===']", 7, "at most two");
        fails_at("[a:b = h'abc']", 7, "odd number");
        fails_at("[a:b = h'zz']", 7, "not a hexadecimal digit");
        // Leap seconds and long fractions are fine.
        ok("[a:b = t'2016-12-31T23:59:60.123456789012345Z']");
    }

    #[test]
    fn reports_bad_numbers() {
        fails_at("[a:b = 01]", 7, "leading zeros");
        fails_at("[a:b = 99999999999999999999]", 7, "out of range");
        fails_at("[a:b = -]", 7, "expected a number after `-`");
        fails_at("[a:b > true]", 7, "a value that can be ordered");
        fails_at(
            "[a:b = 1] WITHIN 0 SECONDS",
            17,
            "positive number of seconds",
        );
        fails_at(
            "[a:b = 1] WITHIN -5 SECONDS",
            17,
            "positive number of seconds",
        );
        fails_at("[a:b = 1] REPEATS 0 TIMES", 18, "positive whole number");
        fails_at("[a:b = 1] REPEATS 1.5 TIMES", 18, "a whole number of times");
        fails_at("[a:b = 1] WITHIN 5", 18, "expected `SECONDS`");
    }

    #[test]
    fn reports_empty_input_and_trailing_garbage() {
        fails_at("", 0, "expected `[` or `(`, found the end of the pattern");
        fails_at("   ", 3, "found the end of the pattern");
        fails_at("[a:b = 1] xyz", 10, "found `xyz`");
        fails_at("[a:b = 1]]", 9, "found `]`");
        fails_at("[]", 1, "expected an object path");
    }

    #[test]
    fn reports_other_mistakes() {
        fails_at("[a:b-c = 1]", 3, "write it quoted, as 'b-c'");
        fails_at("[a:b.c-d = 1]", 5, "write it quoted");
        fails_at("[a = 1]", 3, "expected `:` after the object type");
        fails_at("[a:b 'x']", 5, "expected `NOT` or a comparison operator");
        fails_at("[a:b NOT EXISTS]", 9, "expected a comparison operator");
        fails_at("[a:b LIKE 5]", 10, "expected a string after `LIKE`");
        fails_at("[a:b IN ('x',)]", 13, "expected a literal value");
        fails_at("[a:b IN 'x']", 8, "`(` opening the set");
        fails_at("[a:b LAST 'x']", 5, "found `LAST`");
        fails_at("[AND:b = 1]", 1, "expected an object path");
        fails_at("[a:b[x] = 1]", 5, "a list index or `*`");
        fails_at("[a:b = 1] NOT [a:b = 1]", 10, "found `NOT`");
        fails_at("[a:b = 1] AND", 13, "expected `[` or `(`");
        fails_at("[a:b = 1 /* open", 9, "unterminated comment");
        fails_at("[a:b ! 1]", 5, "inequality is written `!=`");
        fails_at("[a:b = 'x'] é", 12, "unexpected character `é`");
        fails_at(
            "[a:b = 1] START t'2025-01-01T00:00:00Z'",
            39,
            "expected `STOP`",
        );
    }

    #[test]
    fn errors_are_displayed_with_their_offset_and_column() {
        let input = "[a:b = 'é']\nAND [c:d == 1]";
        let e = err(input);
        assert_eq!(e.offset, 22);
        assert_eq!(
            e.to_string(),
            "at byte 22: `==` is not a STIX operator; equality is written `=`"
        );
        assert_eq!(e.line(input), 2);
        assert_eq!(e.column(input), 10);
        let input = "[a:b = 'é'] x";
        let e = err(input);
        assert_eq!(e.offset, 13);
        assert_eq!(e.column(input), 13);
        assert_eq!(e.line(input), 1);
    }

    #[test]
    fn limits_length_and_nesting() {
        let long = format!("[a:b = '{}']", "x".repeat(MAX_PATTERN_BYTES));
        let e = err(&long);
        assert!(e.offset <= long.len());
        assert!(e.message.contains("bytes long"), "{e}");

        let open = "(".repeat(MAX_PATTERN_BYTES);
        fails_at(&open, MAX_NESTING, "nest more than 64 deep");
        let open = format!("[{}", "(".repeat(1000));
        fails_at(&open, MAX_NESTING, "nest more than 64 deep");

        let deepest = format!(
            "{}[a:b = 1]{}",
            "(".repeat(MAX_NESTING - 1),
            ")".repeat(MAX_NESTING - 1)
        );
        round_trips(&deepest);
    }

    #[test]
    fn long_chains_do_not_exhaust_the_stack() {
        // Each tree below is as deep as the input allows; printing,
        // comparing, walking and dropping them must not recurse with it.
        let observations = "[a:b = 1] AND ".repeat(MAX_PATTERN_BYTES / 14 - 1) + "[a:b = 1]";
        let comparisons = format!(
            "[{}a:b = 1]",
            "a:b = 1 OR ".repeat(MAX_PATTERN_BYTES / 11 - 1)
        );
        let qualifiers =
            "[a:b = 1]".to_owned() + &" REPEATS 2 TIMES".repeat(MAX_PATTERN_BYTES / 16 - 1);
        let handle = std::thread::Builder::new()
            .stack_size(1 << 20)
            .spawn(move || {
                for input in [observations, comparisons, qualifiers] {
                    assert!(input.len() <= MAX_PATTERN_BYTES);
                    let pattern = ok(&input);
                    let printed = pattern.to_string();
                    assert_eq!(printed, input);
                    assert_eq!(ok(&printed), pattern);
                    assert!(!pattern.tests().is_empty());
                    let _ = pattern.unsupported();
                    let _ = pattern.expression.span();
                }
            });
        assert!(handle.map(|h| h.join().is_ok()).unwrap_or(false));
    }

    #[test]
    fn supported_patterns() {
        for input in [
            "[domain-name:value = 'hugesoft.org']",
            "[user-account:display_name IN ('Amanda Qiu', 'Shirley Shen')]",
            "[url:value LIKE '%hugesoft%'] OR [email-addr:value = 'a@b.example']",
            "[(user-account:account_login = 'x' OR user-account:display_name LIKE 'A%') AND url:value = 'y']",
            "([url:value = 'a'] AND [url:value = 'b']) OR [domain-name:'value' = 'c']",
            "[url:value IN ()]",
        ] {
            assert_eq!(ok(input).unsupported(), None, "{input}");
        }
    }

    fn unsupported(input: &str) -> Unsupported {
        match ok(input).unsupported() {
            Some(u) => u,
            None => panic!("{input:?} should not be supported"),
        }
    }

    #[test]
    fn unsupported_patterns_point_at_the_first_problem() {
        let input = "[url:value = 'a'] AND [file:hashes.MD5 = 'x' AND url:value MATCHES 'y']";
        let u = unsupported(input);
        assert_eq!(
            input.get(u.span.start..u.span.end),
            Some("file:hashes.MD5 = 'x'")
        );
        assert_eq!(
            u.reason,
            "object path `file:hashes.MD5` is not one forewarn matches (it matches \
             user-account:display_name, user-account:account_login, url:value, \
             domain-name:value, email-addr:value)"
        );

        let input = "[url:value = 'a'] FOLLOWEDBY [url:value = 'b']";
        let u = unsupported(input);
        assert_eq!(u.reason, "the FOLLOWEDBY operator is not supported");
        assert_eq!(u.span, Span::new(0, input.len()));

        let input = "[url:value = 'a'] OR [url:value = 'b'] WITHIN 60 SECONDS";
        let u = unsupported(input);
        assert_eq!(u.reason, "the WITHIN qualifier is not supported");
        assert_eq!(
            input.get(u.span.start..u.span.end),
            Some("WITHIN 60 SECONDS")
        );

        let u = unsupported(
            "[url:value = 'a'] START t'2025-01-01T00:00:00Z' STOP t'2025-01-02T00:00:00Z'",
        );
        assert_eq!(u.reason, "the START … STOP qualifier is not supported");
        let u = unsupported("[url:value = 'a'] REPEATS 2 TIMES");
        assert_eq!(u.reason, "the REPEATS qualifier is not supported");

        let u = unsupported("[url:value MATCHES '^a']");
        assert!(
            u.reason.starts_with("operator MATCHES is not supported"),
            "{u}"
        );
        let u = unsupported("[url:value != 'a']");
        assert!(u.reason.starts_with("operator != is not supported"), "{u}");
        let u = unsupported("[EXISTS url:value]");
        assert!(
            u.reason.starts_with("operator EXISTS is not supported"),
            "{u}"
        );
        let u = unsupported("[url:value NOT = 'a']");
        assert_eq!(u.reason, "negated comparisons (NOT) are not supported");
        let u = unsupported("[url:value = 5]");
        assert!(u.reason.contains("the value 5 is not a string"), "{u}");
        let u = unsupported("[url:value IN ('a', true)]");
        assert!(
            u.reason.contains("the set member true is not a string"),
            "{u}"
        );
        let u = unsupported("[user-account:user_id = 'a']");
        assert!(u.reason.contains("`user-account:user_id`"), "{u}");
        let u = unsupported("[url:value.x = 'a']");
        assert!(u.reason.contains("`url:value.x`"), "{u}");
        assert_eq!(u.span, Span::new(1, 18));
    }

    #[test]
    fn lists_tests_in_order() {
        let pattern = ok(
            "([a:b = 1] OR [a:c = 2 AND (a:d = 3 OR a:e = 4)]) FOLLOWEDBY [a:f = 5] WITHIN 1 SECONDS",
        );
        let names: Vec<String> = pattern.tests().iter().map(|t| t.path.property()).collect();
        assert_eq!(names, ["b", "c", "d", "e", "f"]);
    }

    #[test]
    fn translates_like_patterns() {
        assert_eq!(like_to_regex("%hugesoft%"), "(?s)^.*hugesoft.*$");
        assert_eq!(like_to_regex("a_c"), "(?s)^a.c$");
        assert_eq!(like_to_regex(""), "(?s)^$");
        assert_eq!(
            like_to_regex("a.b+c*d?e(f)g|h[i]j{k}l^m$n\\o#p&q-r~s t"),
            "(?s)^a\\.b\\+c\\*d\\?e\\(f\\)g\\|h\\[i\\]j\\{k\\}l\\^m\\$n\\\\o\\#p\\&q\\-r\\~s t$"
        );
        assert_eq!(like_to_regex("Amanda Qiú%"), "(?s)^Amanda Qiú.*$");
    }

    // Property tests ----------------------------------------------------

    /// Any text, weighted towards characters that matter to the lexer.
    fn text() -> impl Strategy<Value = String> {
        prop_oneof!["\\PC{0,12}", "[a-z '\\\\%_.-]{0,10}"]
    }

    fn supported_test() -> impl Strategy<Value = PropertyTest> {
        let path = proptest::sample::select(MATCHABLE_PATHS.to_vec()).prop_map(|p| {
            let (object_type, property) = p.split_once(':').unwrap_or((p, ""));
            ObjectPath {
                object_type: object_type.to_owned(),
                steps: vec![key(property)],
                span: Span::default(),
            }
        });
        let make = |path: ObjectPath, op, value: Option<String>, set: Vec<String>| PropertyTest {
            path,
            negated: false,
            op,
            value: value.map(Literal::Str),
            set: set.into_iter().map(Literal::Str).collect(),
            span: Span::default(),
        };
        prop_oneof![
            (path.clone(), text()).prop_map(move |(p, v)| make(p, Operator::Eq, Some(v), vec![])),
            (path.clone(), text()).prop_map(move |(p, v)| make(p, Operator::Like, Some(v), vec![])),
            (path, prop::collection::vec(text(), 0..4)).prop_map(move |(p, set)| make(
                p,
                Operator::In,
                None,
                set
            )),
        ]
    }

    fn comparison(
        test: impl Strategy<Value = PropertyTest> + 'static,
    ) -> impl Strategy<Value = ComparisonExpr> {
        test.prop_map(ComparisonExpr::Test)
            .prop_recursive(4, 24, 2, |inner| {
                prop_oneof![
                    (inner.clone(), inner.clone())
                        .prop_map(|(l, r)| ComparisonExpr::And(Box::new(l), Box::new(r))),
                    (inner.clone(), inner)
                        .prop_map(|(l, r)| ComparisonExpr::Or(Box::new(l), Box::new(r))),
                ]
            })
    }

    fn observation(
        comparison: impl Strategy<Value = ComparisonExpr> + 'static,
    ) -> BoxedStrategy<ObservationExpr> {
        comparison
            .prop_map(|comparison| ObservationExpr::Observation {
                comparison,
                span: Span::default(),
            })
            .boxed()
    }

    fn supported_pattern() -> impl Strategy<Value = Pattern> {
        observation(comparison(supported_test()))
            .prop_recursive(3, 12, 2, |inner| {
                prop_oneof![
                    (inner.clone(), inner.clone())
                        .prop_map(|(l, r)| ObservationExpr::And(Box::new(l), Box::new(r))),
                    (inner.clone(), inner)
                        .prop_map(|(l, r)| ObservationExpr::Or(Box::new(l), Box::new(r))),
                ]
            })
            .prop_map(|expression| Pattern { expression })
    }

    fn timestamp() -> impl Strategy<Value = String> {
        (
            0u16..10000,
            1u8..13,
            1u8..29,
            0u8..24,
            0u8..60,
            0u8..61,
            proptest::option::of("[0-9]{1,6}"),
        )
            .prop_map(|(y, mo, d, h, mi, s, frac)| {
                let frac = frac.map(|f| format!(".{f}")).unwrap_or_default();
                format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}{frac}Z")
            })
    }

    fn literal(allow_bool: bool) -> BoxedStrategy<Literal> {
        let mut options = vec![
            any::<i64>().prop_map(Literal::Int).boxed(),
            prop_oneof![
                proptest::num::f64::NORMAL,
                proptest::num::f64::SUBNORMAL,
                proptest::num::f64::ZERO
            ]
            .prop_map(Literal::Float)
            .boxed(),
            text().prop_map(Literal::Str).boxed(),
            timestamp().prop_map(Literal::Timestamp).boxed(),
            proptest::sample::select(vec!["", "dGVzdA==", "YWI=", "YWJj", "+/+/"])
                .prop_map(|b| Literal::Binary(b.to_owned()))
                .boxed(),
            "([0-9a-fA-F]{2}){0,4}".prop_map(Literal::Hex).boxed(),
        ];
        if allow_bool {
            options.push(any::<bool>().prop_map(Literal::Bool).boxed());
        }
        proptest::strategy::Union::new(options).boxed()
    }

    fn any_path() -> impl Strategy<Value = ObjectPath> {
        let step = prop_oneof![
            text().prop_map(PathStep::Key),
            "[a-z_][a-z0-9_]{0,5}".prop_map(PathStep::Key),
            any::<i64>().prop_map(PathStep::Index),
            Just(PathStep::Any),
        ];
        (
            "[a-z_][a-z0-9_-]{0,10}".prop_filter("booleans are not object types", |t| {
                t != "true" && t != "false"
            }),
            text(),
            prop::collection::vec(step, 0..4),
        )
            .prop_map(|(object_type, first, rest)| {
                let mut steps = vec![PathStep::Key(first)];
                steps.extend(rest);
                ObjectPath {
                    object_type,
                    steps,
                    span: Span::default(),
                }
            })
    }

    fn any_test() -> impl Strategy<Value = PropertyTest> {
        let ops = proptest::sample::select(vec![
            Operator::Eq,
            Operator::NotEq,
            Operator::Gt,
            Operator::Lt,
            Operator::Ge,
            Operator::Le,
            Operator::In,
            Operator::Like,
            Operator::Matches,
            Operator::IsSubset,
            Operator::IsSuperset,
            Operator::Exists,
        ]);
        (any_path(), any::<bool>(), ops).prop_flat_map(|(path, negated, op)| {
            let value = match op {
                Operator::Eq | Operator::NotEq => literal(true).prop_map(Some).boxed(),
                Operator::Gt | Operator::Lt | Operator::Ge | Operator::Le => {
                    literal(false).prop_map(Some).boxed()
                }
                Operator::Like | Operator::Matches | Operator::IsSubset | Operator::IsSuperset => {
                    text().prop_map(|s| Some(Literal::Str(s))).boxed()
                }
                Operator::In | Operator::Exists => Just(None).boxed(),
            };
            let set = if op == Operator::In {
                prop::collection::vec(literal(true), 0..4).boxed()
            } else {
                Just(Vec::new()).boxed()
            };
            (value, set).prop_map(move |(value, set)| PropertyTest {
                path: path.clone(),
                negated,
                op,
                value,
                set,
                span: Span::default(),
            })
        })
    }

    fn qualifier() -> impl Strategy<Value = Qualifier> {
        prop_oneof![
            (timestamp(), timestamp())
                .prop_map(|(start, stop)| Qualifier::StartStop { start, stop }),
            prop_oneof![
                (1u32..100_000).prop_map(f64::from),
                proptest::num::f64::POSITIVE | proptest::num::f64::NORMAL
            ]
            .prop_filter("positive", |s| *s > 0.0)
            .prop_map(|seconds| Qualifier::Within { seconds }),
            (1u64..=u64::MAX).prop_map(|times| Qualifier::Repeats { times }),
        ]
    }

    fn any_pattern() -> impl Strategy<Value = Pattern> {
        observation(comparison(any_test()))
            .prop_recursive(3, 12, 2, |inner| {
                prop_oneof![
                    (inner.clone(), inner.clone())
                        .prop_map(|(l, r)| ObservationExpr::And(Box::new(l), Box::new(r))),
                    (inner.clone(), inner.clone())
                        .prop_map(|(l, r)| ObservationExpr::Or(Box::new(l), Box::new(r))),
                    (inner.clone(), inner.clone())
                        .prop_map(|(l, r)| ObservationExpr::FollowedBy(Box::new(l), Box::new(r))),
                    (inner, qualifier()).prop_map(|(expr, qualifier)| ObservationExpr::Qualified {
                        expr: Box::new(expr),
                        qualifier,
                        span: Span::default(),
                    }),
                ]
            })
            .prop_map(|expression| Pattern { expression })
    }

    /// Fragments that often make up patterns, valid or not.
    const PIECES: &[&str] = &[
        "[",
        "]",
        "(",
        ")",
        ":",
        ".",
        ",",
        "*",
        "=",
        "==",
        "!=",
        "<",
        "<=",
        ">",
        ">=",
        "AND",
        "OR",
        "NOT",
        "FOLLOWEDBY",
        "LIKE",
        "MATCHES",
        "ISSUBSET",
        "ISSUPERSET",
        "EXISTS",
        "IN",
        "START",
        "STOP",
        "WITHIN",
        "SECONDS",
        "REPEATS",
        "TIMES",
        "LAST",
        "and",
        "url",
        "value",
        "user-account",
        "-",
        "+",
        "0",
        "-5",
        "1.5",
        ".5",
        "01",
        "'x'",
        "'",
        "\\",
        "'a\\'b'",
        "t'2025-01-01T00:00:00Z'",
        "t'2025-13-01T00:00:00Z'",
        "b'YWI='",
        "h'0a'",
        "h'",
        "true",
        "/*",
        "*/",
        "//",
        "\n",
        " ",
        "é",
        "[*]",
        "[-1]",
    ];

    fn soup() -> impl Strategy<Value = String> {
        prop::collection::vec(
            (proptest::sample::select(PIECES.to_vec()), any::<bool>()),
            0..40,
        )
        .prop_map(|pieces| {
            pieces
                .into_iter()
                .map(|(piece, space)| {
                    if space {
                        format!("{piece} ")
                    } else {
                        piece.to_owned()
                    }
                })
                .collect()
        })
    }

    fn check_anything(input: &str) -> Result<(), TestCaseError> {
        match parse(input) {
            Ok(pattern) => {
                let printed = pattern.to_string();
                let again = parse(&printed);
                prop_assert_eq!(
                    again.as_ref().ok(),
                    Some(&pattern),
                    "printed as {:?}",
                    printed
                );
                let _ = pattern.unsupported();
                let _ = pattern.tests();
            }
            Err(e) => {
                prop_assert!(e.offset <= input.len(), "{} for {:?}", e, input);
                prop_assert!(input.is_char_boundary(e.offset));
                prop_assert!(e.column(input) >= 1);
            }
        }
        Ok(())
    }

    proptest! {
        #[test]
        fn never_panics_on_any_text(input in "\\PC{0,200}") {
            check_anything(&input)?;
        }

        #[test]
        fn never_panics_on_token_soup(input in soup()) {
            check_anything(&input)?;
        }

        #[test]
        fn never_panics_on_mangled_patterns(
            pattern in any_pattern(),
            cut in any::<prop::sample::Index>(),
            insert in proptest::sample::select(PIECES.to_vec()),
        ) {
            let printed = pattern.to_string();
            let mut at = cut.index(printed.len() + 1);
            while !printed.is_char_boundary(at) {
                at -= 1;
            }
            let (head, tail) = printed.split_at(at);
            check_anything(&format!("{head}{insert}{tail}"))?;
            check_anything(head)?;
        }

        #[test]
        fn supported_patterns_round_trip(pattern in supported_pattern()) {
            let printed = pattern.to_string();
            let parsed = parse(&printed);
            prop_assert_eq!(parsed.as_ref().ok(), Some(&pattern), "printed as {:?}: {:?}", printed, parsed);
            prop_assert_eq!(pattern.unsupported(), None);
        }

        #[test]
        fn every_pattern_round_trips(pattern in any_pattern()) {
            let printed = pattern.to_string();
            let parsed = parse(&printed);
            prop_assert_eq!(parsed.as_ref().ok(), Some(&pattern), "printed as {:?}: {:?}", printed, parsed);
            let tests = pattern.tests().len();
            prop_assert_eq!(parsed.map(|p| p.tests().len()).ok(), Some(tests));
        }

        #[test]
        fn like_regexes_keep_ordinary_text(text in "[a-zA-Z0-9 ]{0,20}") {
            prop_assert_eq!(like_to_regex(&text), format!("(?s)^{text}$"));
        }
    }
}
