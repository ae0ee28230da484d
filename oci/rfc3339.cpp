// RFC 3339 timestamps as Go's time.RFC3339Nano writes them (runc's
// "created"), and a parser for any RFC 3339 date-time.
#include <cstdio>
#include <cstdlib>

#include "oci/state.hpp"

namespace litebox::oci {

std::string FormatRfc3339Nano(Timestamp t) {
  using namespace std::chrono;
  const auto day = floor<days>(t);
  const year_month_day ymd{day};
  const hh_mm_ss hms{floor<nanoseconds>(t - day)};
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02lld", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                static_cast<long long>(hms.seconds().count()));
  std::string out = buf;
  long long ns = hms.subseconds().count();
  if (ns != 0) {
    char frac[16];
    std::snprintf(frac, sizeof frac, ".%09lld", ns);
    std::string f = frac;
    while (f.back() == '0') f.pop_back();  // Go trims trailing zeros
    out += f;
  }
  return out + "Z";
}

Result<Timestamp> ParseRfc3339(const std::string& text, const std::string& path) {
  using namespace std::chrono;
  auto bad = [&](const std::string& why) -> Error {
    return Error{path, "\"" + text + "\" is not an RFC 3339 timestamp (" + why + ")"};
  };
  auto digits = [&](size_t pos, size_t n, int* out) {
    if (pos + n > text.size()) return false;
    int v = 0;
    for (size_t i = pos; i < pos + n; ++i) {
      if (text[i] < '0' || text[i] > '9') return false;
      v = v * 10 + (text[i] - '0');
    }
    *out = v;
    return true;
  };
  int y, mo, d, h, mi, s;
  if (!digits(0, 4, &y) || text.size() < 19 || text[4] != '-' || !digits(5, 2, &mo) ||
      text[7] != '-' || !digits(8, 2, &d) || (text[10] != 'T' && text[10] != 't') ||
      !digits(11, 2, &h) || text[13] != ':' || !digits(14, 2, &mi) || text[16] != ':' ||
      !digits(17, 2, &s)) {
    return bad("expected YYYY-MM-DDTHH:MM:SS");
  }
  const year_month_day ymd{year{y}, month{static_cast<unsigned>(mo)},
                           day{static_cast<unsigned>(d)}};
  if (!ymd.ok()) return bad("no such date");
  if (h > 23 || mi > 59 || s > 60) return bad("time out of range");
  size_t pos = 19;
  long long ns = 0;
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    int n = 0;
    long long scale = 100000000;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      if (n < 9) ns += (text[pos] - '0') * scale;
      scale /= 10;
      ++pos;
      ++n;
    }
    if (n == 0) return bad("empty fraction");
  }
  int offset_min = 0;
  if (pos < text.size() && (text[pos] == 'Z' || text[pos] == 'z')) {
    ++pos;
  } else if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) {
    int oh, om;
    if (!digits(pos + 1, 2, &oh) || pos + 3 >= text.size() || text[pos + 3] != ':' ||
        !digits(pos + 4, 2, &om) || oh > 23 || om > 59) {
      return bad("bad zone offset");
    }
    offset_min = (oh * 60 + om) * (text[pos] == '-' ? -1 : 1);
    pos += 6;
  } else {
    return bad("missing zone (Z or +hh:mm)");
  }
  if (pos != text.size()) return bad("trailing characters");
  Timestamp t = sys_days{ymd} + hours{h} + minutes{mi} + seconds{s} + nanoseconds{ns};
  return t - minutes{offset_min};
}

}  // namespace litebox::oci
