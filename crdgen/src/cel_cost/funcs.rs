//! The functions of the apiserver's CEL environment for CRD validation rules, with the
//! overload ids and signatures cel-go's checker resolves against: the standard library
//! (cross-type numeric comparisons enabled), optional types, the strings extension
//! (version 2), sets, and the Kubernetes libraries (urls, regex, lists, quantity, ip,
//! cidr, format, semver). One line per overload:
//! `name overload_id arg... -> result`; a name starting with `.` is a member function
//! whose first argument is the receiver. Upper-case single letters are type parameters.

use super::types::Ty;
use std::{collections::HashMap, rc::Rc};

const TABLE: &str = r#"
_?_:_ conditional bool A A -> A
_&&_ logical_and bool bool -> bool
_||_ logical_or bool bool -> bool
!_ logical_not bool -> bool
@not_strictly_false not_strictly_false bool -> bool
_==_ equals A A -> bool
_!=_ not_equals A A -> bool
_+_ add_bytes bytes bytes -> bytes
_+_ add_double double double -> double
_+_ add_duration_duration duration duration -> duration
_+_ add_duration_timestamp duration timestamp -> timestamp
_+_ add_timestamp_duration timestamp duration -> timestamp
_+_ add_int64 int int -> int
_+_ add_list list(A) list(A) -> list(A)
_+_ add_string string string -> string
_+_ add_uint64 uint uint -> uint
_/_ divide_double double double -> double
_/_ divide_int64 int int -> int
_/_ divide_uint64 uint uint -> uint
_%_ modulo_int64 int int -> int
_%_ modulo_uint64 uint uint -> uint
_*_ multiply_double double double -> double
_*_ multiply_int64 int int -> int
_*_ multiply_uint64 uint uint -> uint
-_ negate_double double -> double
-_ negate_int64 int -> int
_-_ subtract_double double double -> double
_-_ subtract_duration_duration duration duration -> duration
_-_ subtract_int64 int int -> int
_-_ subtract_timestamp_duration timestamp duration -> timestamp
_-_ subtract_timestamp_timestamp timestamp timestamp -> duration
_-_ subtract_uint64 uint uint -> uint
_[_] index_list list(A) int -> A
_[_] index_map map(A,B) A -> B
@in in_list A list(A) -> bool
@in in_map A map(A,B) -> bool
size size_bytes bytes -> int
.size bytes_size bytes -> int
size size_list list(A) -> int
.size list_size list(A) -> int
size size_map map(A,B) -> int
.size map_size map(A,B) -> int
size size_string string -> int
.size string_size string -> int
type type A -> type(A)
bool bool_to_bool bool -> bool
bool string_to_bool string -> bool
bytes bytes_to_bytes bytes -> bytes
bytes string_to_bytes string -> bytes
double double_to_double double -> double
double int64_to_double int -> double
double string_to_double string -> double
double uint64_to_double uint -> double
duration duration_to_duration duration -> duration
duration int64_to_duration int -> duration
duration string_to_duration string -> duration
dyn to_dyn A -> dyn
int int64_to_int64 int -> int
int double_to_int64 double -> int
int duration_to_int64 duration -> int
int string_to_int64 string -> int
int timestamp_to_int64 timestamp -> int
int uint64_to_int64 uint -> int
string string_to_string string -> string
string bool_to_string bool -> string
string bytes_to_string bytes -> string
string double_to_string double -> string
string duration_to_string duration -> string
string int64_to_string int -> string
string timestamp_to_string timestamp -> string
string uint64_to_string uint -> string
string ip_to_string IP -> string
string cidr_to_string CIDR -> string
timestamp timestamp_to_timestamp timestamp -> timestamp
timestamp int64_to_timestamp int -> timestamp
timestamp string_to_timestamp string -> timestamp
uint uint64_to_uint64 uint -> uint
uint double_to_uint64 double -> uint
uint int64_to_uint64 int -> uint
uint string_to_uint64 string -> uint
.contains contains_string string string -> bool
.endsWith ends_with_string string string -> bool
.startsWith starts_with_string string string -> bool
matches matches string string -> bool
.matches matches_string string string -> bool
.getFullYear timestamp_to_year timestamp -> int
.getFullYear timestamp_to_year_with_tz timestamp string -> int
.getMonth timestamp_to_month timestamp -> int
.getMonth timestamp_to_month_with_tz timestamp string -> int
.getDayOfYear timestamp_to_day_of_year timestamp -> int
.getDayOfYear timestamp_to_day_of_year_with_tz timestamp string -> int
.getDayOfMonth timestamp_to_day_of_month timestamp -> int
.getDayOfMonth timestamp_to_day_of_month_with_tz timestamp string -> int
.getDate timestamp_to_day_of_month_1_based timestamp -> int
.getDate timestamp_to_day_of_month_1_based_with_tz timestamp string -> int
.getDayOfWeek timestamp_to_day_of_week timestamp -> int
.getDayOfWeek timestamp_to_day_of_week_with_tz timestamp string -> int
.getHours timestamp_to_hours timestamp -> int
.getHours timestamp_to_hours_with_tz timestamp string -> int
.getHours duration_to_hours duration -> int
.getMinutes timestamp_to_minutes timestamp -> int
.getMinutes timestamp_to_minutes_with_tz timestamp string -> int
.getMinutes duration_to_minutes duration -> int
.getSeconds timestamp_to_seconds timestamp -> int
.getSeconds timestamp_to_seconds_with_tz timestamp string -> int
.getSeconds duration_to_seconds duration -> int
.getMilliseconds timestamp_to_milliseconds timestamp -> int
.getMilliseconds timestamp_to_milliseconds_with_tz timestamp string -> int
.getMilliseconds duration_to_milliseconds duration -> int
_<_ less_bool bool bool -> bool
_<_ less_int64 int int -> bool
_<_ less_int64_double int double -> bool
_<_ less_int64_uint64 int uint -> bool
_<_ less_uint64 uint uint -> bool
_<_ less_uint64_double uint double -> bool
_<_ less_uint64_int64 uint int -> bool
_<_ less_double double double -> bool
_<_ less_double_int64 double int -> bool
_<_ less_double_uint64 double uint -> bool
_<_ less_string string string -> bool
_<_ less_bytes bytes bytes -> bool
_<_ less_timestamp timestamp timestamp -> bool
_<_ less_duration duration duration -> bool
_<=_ less_equals_bool bool bool -> bool
_<=_ less_equals_int64 int int -> bool
_<=_ less_equals_int64_double int double -> bool
_<=_ less_equals_int64_uint64 int uint -> bool
_<=_ less_equals_uint64 uint uint -> bool
_<=_ less_equals_uint64_double uint double -> bool
_<=_ less_equals_uint64_int64 uint int -> bool
_<=_ less_equals_double double double -> bool
_<=_ less_equals_double_int64 double int -> bool
_<=_ less_equals_double_uint64 double uint -> bool
_<=_ less_equals_string string string -> bool
_<=_ less_equals_bytes bytes bytes -> bool
_<=_ less_equals_timestamp timestamp timestamp -> bool
_<=_ less_equals_duration duration duration -> bool
_>_ greater_bool bool bool -> bool
_>_ greater_int64 int int -> bool
_>_ greater_int64_double int double -> bool
_>_ greater_int64_uint64 int uint -> bool
_>_ greater_uint64 uint uint -> bool
_>_ greater_uint64_double uint double -> bool
_>_ greater_uint64_int64 uint int -> bool
_>_ greater_double double double -> bool
_>_ greater_double_int64 double int -> bool
_>_ greater_double_uint64 double uint -> bool
_>_ greater_string string string -> bool
_>_ greater_bytes bytes bytes -> bool
_>_ greater_timestamp timestamp timestamp -> bool
_>_ greater_duration duration duration -> bool
_>=_ greater_equals_bool bool bool -> bool
_>=_ greater_equals_int64 int int -> bool
_>=_ greater_equals_int64_double int double -> bool
_>=_ greater_equals_int64_uint64 int uint -> bool
_>=_ greater_equals_uint64 uint uint -> bool
_>=_ greater_equals_uint64_double uint double -> bool
_>=_ greater_equals_uint64_int64 uint int -> bool
_>=_ greater_equals_double double double -> bool
_>=_ greater_equals_double_int64 double int -> bool
_>=_ greater_equals_double_uint64 double uint -> bool
_>=_ greater_equals_string string string -> bool
_>=_ greater_equals_bytes bytes bytes -> bool
_>=_ greater_equals_timestamp timestamp timestamp -> bool
_>=_ greater_equals_duration duration duration -> bool
optional.of optional_of V -> opt(V)
optional.ofNonZeroValue optional_ofNonZeroValue V -> opt(V)
optional.none optional_none -> opt(V)
.value optional_value opt(V) -> V
.hasValue optional_hasValue opt(V) -> bool
.or optional_or_optional opt(V) opt(V) -> opt(V)
.orValue optional_orValue_value opt(V) V -> V
_?._ select_optional_field dyn string -> opt(V)
_[?_] list_optindex_optional_int list(V) int -> opt(V)
_[?_] optional_list_optindex_optional_int opt(list(V)) int -> opt(V)
_[?_] map_optindex_optional_value map(K,V) K -> opt(V)
_[?_] optional_map_optindex_optional_value opt(map(K,V)) K -> opt(V)
_[_] optional_list_index_int opt(list(V)) int -> opt(V)
_[_] optional_map_index_value opt(map(K,V)) K -> opt(V)
.charAt string_char_at_int string int -> string
.indexOf string_index_of_string string string -> int
.indexOf string_index_of_string_int string string int -> int
.lastIndexOf string_last_index_of_string string string -> int
.lastIndexOf string_last_index_of_string_int string string int -> int
.lowerAscii string_lower_ascii string -> string
.replace string_replace_string_string string string string -> string
.replace string_replace_string_string_int string string string int -> string
.split string_split_string string string -> list(string)
.split string_split_string_int string string int -> list(string)
.substring string_substring_int string int -> string
.substring string_substring_int_int string int int -> string
.trim string_trim string -> string
.upperAscii string_upper_ascii string -> string
.format string_format string list(dyn) -> string
strings.quote strings_quote string -> string
.join list_join list(string) -> string
.join list_join_string list(string) string -> string
sets.contains list_sets_contains_list list(T) list(T) -> bool
sets.equivalent list_sets_equivalent_list list(T) list(T) -> bool
sets.intersects list_sets_intersects_list list(T) list(T) -> bool
url string_to_url string -> URL
.getScheme url_get_scheme URL -> string
.getHost url_get_host URL -> string
.getHostname url_get_hostname URL -> string
.getPort url_get_port URL -> string
.getEscapedPath url_get_escaped_path URL -> string
.getQuery url_get_query URL -> map(string,list(string))
isURL is_url_string string -> bool
.find string_find_string string string -> string
.findAll string_find_all_string string string -> list(string)
.findAll string_find_all_string_int string string int -> list(string)
.isSorted list_int_is_sorted_bool list(int) -> bool
.isSorted list_uint_is_sorted_bool list(uint) -> bool
.isSorted list_double_is_sorted_bool list(double) -> bool
.isSorted list_bool_is_sorted_bool list(bool) -> bool
.isSorted list_bytes_is_sorted_bool list(bytes) -> bool
.isSorted list_string_is_sorted_bool list(string) -> bool
.isSorted list_timestamp_is_sorted_bool list(timestamp) -> bool
.isSorted list_duration_is_sorted_bool list(duration) -> bool
.sum list_int_sum_int list(int) -> int
.sum list_uint_sum_uint list(uint) -> uint
.sum list_double_sum_double list(double) -> double
.sum list_duration_sum_duration list(duration) -> duration
.max list_int_max_int list(int) -> int
.max list_uint_max_uint list(uint) -> uint
.max list_double_max_double list(double) -> double
.max list_bool_max_bool list(bool) -> bool
.max list_bytes_max_bytes list(bytes) -> bytes
.max list_string_max_string list(string) -> string
.max list_timestamp_max_timestamp list(timestamp) -> timestamp
.max list_duration_max_duration list(duration) -> duration
.min list_int_min_int list(int) -> int
.min list_uint_min_uint list(uint) -> uint
.min list_double_min_double list(double) -> double
.min list_bool_min_bool list(bool) -> bool
.min list_bytes_min_bytes list(bytes) -> bytes
.min list_string_min_string list(string) -> string
.min list_timestamp_min_timestamp list(timestamp) -> timestamp
.min list_duration_min_duration list(duration) -> duration
.indexOf list_a_index_of_int list(A) A -> int
.lastIndexOf list_a_last_index_of_int list(A) A -> int
quantity string_to_quantity string -> Quantity
isQuantity is_quantity_string string -> bool
sign quantity_sign Quantity -> int
.isGreaterThan quantity_is_greater_than Quantity Quantity -> bool
.isLessThan quantity_is_less_than Quantity Quantity -> bool
.compareTo quantity_compare_to Quantity Quantity -> int
.asApproximateFloat quantity_get_float Quantity -> double
.asInteger quantity_get_int Quantity -> int
.isInteger quantity_is_integer Quantity -> bool
.add quantity_add Quantity Quantity -> Quantity
.add quantity_add_int Quantity int -> Quantity
.sub quantity_sub Quantity Quantity -> Quantity
.sub quantity_sub_int Quantity int -> Quantity
ip string_to_ip string -> IP
.family ip_family IP -> int
ip.isCanonical ip_is_canonical string -> bool
.isUnspecified ip_is_unspecified IP -> bool
.isLoopback ip_is_loopback IP -> bool
.isLinkLocalMulticast ip_is_link_local_multicast IP -> bool
.isLinkLocalUnicast ip_is_link_local_unicast IP -> bool
.isGlobalUnicast ip_is_global_unicast IP -> bool
isIP is_ip string -> bool
cidr string_to_cidr string -> CIDR
.containsIP cidr_contains_ip_string CIDR string -> bool
.containsIP cidr_contains_ip_ip CIDR IP -> bool
.containsCIDR cidr_contains_cidr_string CIDR string -> bool
.containsCIDR cidr_contains_cidr CIDR CIDR -> bool
.ip cidr_ip CIDR -> IP
.prefixLength cidr_prefix_length CIDR -> int
.masked cidr_masked CIDR -> CIDR
isCIDR is_cidr string -> bool
.validate format-validate Format string -> opt(list(string))
format.named format-named string -> opt(Format)
semver string_to_semver string -> Semver
semver string_bool_to_semver string bool -> Semver
isSemver is_semver_string string -> bool
isSemver is_semver_string_bool string bool -> bool
.isGreaterThan semver_is_greater_than Semver Semver -> bool
.isLessThan semver_is_less_than Semver Semver -> bool
.compareTo semver_compare_to Semver Semver -> int
.major semver_major Semver -> int
.minor semver_minor Semver -> int
.patch semver_patch Semver -> int
"#;

/// The named formats of the Kubernetes format library: each is a zero-argument
/// function `format.<name>()` returning a `Format`.
const FORMATS: &[&str] = &[
    "dns1123Label",
    "dns1123Subdomain",
    "dns1035Label",
    "qualifiedName",
    "dns1123LabelPrefix",
    "dns1123SubdomainPrefix",
    "dns1035LabelPrefix",
    "labelValue",
    "uri",
    "uuid",
    "byte",
    "date",
    "datetime",
];

#[derive(Debug)]
pub struct Overload {
    pub id: Rc<str>,
    pub member: bool,
    pub args: Vec<Ty>,
    pub result: Ty,
    pub type_params: Vec<Rc<str>>,
}

pub struct Functions(HashMap<String, Vec<Overload>>);

impl Functions {
    pub fn get(&self, name: &str) -> Option<&[Overload]> {
        self.0.get(name).map(Vec::as_slice)
    }
}

thread_local! {
    // Built once per thread and kept for the life of the process.
    static FUNCTIONS: &'static Functions = Box::leak(Box::new(build()));
}

/// The function table (built once per thread).
pub fn functions() -> &'static Functions {
    FUNCTIONS.with(|f| *f)
}

fn build() -> Functions {
    let mut map: HashMap<String, Vec<Overload>> = HashMap::new();
    let mut add = |name: &str, o: Overload| map.entry(name.to_owned()).or_default().push(o);
    for line in TABLE.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let (sig, result) = line.split_once(" -> ").expect("signature has ->");
        let mut words = sig.split_whitespace();
        let name = words.next().expect("name");
        let id = words.next().expect("overload id");
        let args: Vec<Ty> = words.map(parse_type).collect();
        let (name, member) = match name.strip_prefix('.') {
            Some(n) => (n, true),
            None => (name, false),
        };
        let result = parse_type(result.trim());
        let mut type_params = Vec::new();
        for t in args.iter().chain(std::iter::once(&result)) {
            collect_params(t, &mut type_params);
        }
        add(
            name,
            Overload {
                id: id.into(),
                member,
                args,
                result,
                type_params,
            },
        );
    }
    for f in FORMATS {
        let name = format!("format.{f}");
        add(
            &name,
            Overload {
                id: name.as_str().into(),
                member: false,
                args: vec![],
                result: parse_type("Format"),
                type_params: vec![],
            },
        );
    }
    Functions(map)
}

fn collect_params(t: &Ty, out: &mut Vec<Rc<str>>) {
    match t {
        Ty::Param(n) => {
            if !out.contains(n) {
                out.push(n.clone());
            }
        }
        _ => t.params().into_iter().for_each(|p| collect_params(p, out)),
    }
}

fn parse_type(s: &str) -> Ty {
    let (head, inner) = match s.split_once('(') {
        Some((h, rest)) => (h, Some(rest.strip_suffix(')').expect("closing paren"))),
        None => (s, None),
    };
    let split_args = |inner: &str| -> Vec<Ty> {
        // Split at top-level commas.
        let mut out = Vec::new();
        let (mut depth, mut start) = (0, 0);
        for (i, c) in inner.char_indices() {
            match c {
                '(' => depth += 1,
                ')' => depth -= 1,
                ',' if depth == 0 => {
                    out.push(parse_type(inner[start..i].trim()));
                    start = i + 1;
                }
                _ => {}
            }
        }
        out.push(parse_type(inner[start..].trim()));
        out
    };
    match (head, inner) {
        ("list", Some(i)) => Ty::list(parse_type(i)),
        ("map", Some(i)) => {
            let mut a = split_args(i);
            let v = a.pop().expect("map value");
            let k = a.pop().expect("map key");
            Ty::map(k, v)
        }
        ("opt", Some(i)) => Ty::opt(parse_type(i)),
        ("type", Some(i)) => Ty::Type(Some(Box::new(parse_type(i)))),
        ("int", None) => Ty::Int,
        ("uint", None) => Ty::Uint,
        ("double", None) => Ty::Double,
        ("bool", None) => Ty::Bool,
        ("string", None) => Ty::String,
        ("bytes", None) => Ty::Bytes,
        ("null", None) => Ty::Null,
        ("dyn", None) => Ty::Dyn,
        ("duration", None) => Ty::Duration,
        ("timestamp", None) => Ty::Timestamp,
        ("IP", None) => Ty::Opaque("net.IP".into(), vec![]),
        ("CIDR", None) => Ty::Opaque("net.CIDR".into(), vec![]),
        ("URL", None) => Ty::Struct(URL.into()),
        ("Quantity", None) => Ty::Struct(QUANTITY.into()),
        ("Semver", None) => Ty::Struct(SEMVER.into()),
        ("Format", None) => Ty::Struct(FORMAT.into()),
        (p, None) if p.len() == 1 && p.chars().all(|c| c.is_ascii_uppercase()) => {
            Ty::Param(p.into())
        }
        _ => panic!("unknown type in function table: {s}"),
    }
}

pub const URL: &str = "kubernetes.URL";
pub const QUANTITY: &str = "kubernetes.Quantity";
pub const SEMVER: &str = "kubernetes.Semver";
pub const FORMAT: &str = "kubernetes.NamedFormat";

#[cfg(test)]
mod tests {
    use super::*;

    /// Parameterized types split at their top-level commas only, whatever the nesting.
    #[test]
    fn nested_parameters_split_at_top_level_commas() {
        assert_eq!(
            parse_type("map(list(int),string)"),
            Ty::map(Ty::list(Ty::Int), Ty::String)
        );
        assert_eq!(
            parse_type("map(string, map(int, list(bool)))"),
            Ty::map(Ty::String, Ty::map(Ty::Int, Ty::list(Ty::Bool)))
        );
        assert_eq!(
            parse_type("opt(map(list(K),V))"),
            Ty::opt(Ty::map(
                Ty::list(Ty::Param("K".into())),
                Ty::Param("V".into())
            ))
        );
        assert_eq!(parse_type("null"), Ty::Null);
        assert_eq!(
            parse_type("type(A)"),
            Ty::Type(Some(Box::new(Ty::Param("A".into()))))
        );
    }

    /// Only single upper-case letters are type parameters; any other unknown name is a
    /// mistake in the table.
    #[test]
    #[should_panic(expected = "unknown type in function table: AB")]
    fn two_capitals_are_not_a_type_parameter() {
        parse_type("AB");
    }

    #[test]
    #[should_panic(expected = "unknown type in function table: a")]
    fn a_lower_case_letter_is_not_a_type_parameter() {
        parse_type("a");
    }
}
