"""比对笔记本输出的唯一规则：文字严格一致，浮点数只容许舍入误差。

存储的输出来自一台机器；读者和 CI 的 CPU、数学库内核（MKL、oneDNN、ATen）和线程数各不相同，
浮点结果的最后几位会跟着变。所以输出被当作“夹着数字的文字”来比较：

- 去掉数字后的文字（词语、标点、形状、dtype、True/False）必须一字不差；
- 数字的个数和顺序必须相同；整数（没有小数点、没有指数）必须完全相同；
- 浮点数 a（存储）与 b（本次运行）满足 |a - b| <= max(ATOL, RTOL * max(|a|, |b|)) + u 即算相同，
  与 ``torch.testing.assert_close`` 的思路一致。u 是打印精度的最后一位的一个单位（``-0.0041`` 的 u 是
  0.0001，``1.606e-03`` 的 u 是 1e-06）：打印时的四舍五入本身就会让只差一点点的两个值在最后一位上差 1，
  例如 -0.004049 和 -0.004051 分别打印成 -0.0040 和 -0.0041。

两个容差只在这里定义；选取它们的依据（在几种模拟的 CPU 内核下测得的漂移）见 tests/DRIFT.md。
图像（PNG）不在这里比较，规则见 tests/sanitize.cfg。
"""
import math
import re
from dataclasses import dataclass

# 相对容差：在几种 CPU 内核下测得单次计算的漂移最大约 3e-6（tests/DRIFT.md），其余差别都是打印时最后一位的
# 四舍五入。1e-3 给没有测过的机器和更长的迭代留出余量，又小于书中打印的数的第 3 位有效数字。
RTOL = 1e-3
# 绝对下限：接近 0 的值只比较到这个量级，例如打印成 -0.0000 与 0.0000、1e-9 与 3e-9。
ATOL = 1e-5

# 一个数：可带符号、小数点、指数；或 nan / inf。前面不能紧挨字母、数字、下划线或小数点，
# 所以 float32、conv2d、x1 里的数字和版本号 2.15.0 的尾巴都不会被拆出一个“数”。
NUMBER = re.compile(
    r'(?<![\w.])(?:[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?|[-+]?(?:nan|inf)\b)')


@dataclass(frozen=True)
class Number:
    text: str

    @property
    def is_integer(self):
        return not any(c in self.text for c in '.eEna')

    @property
    def value(self):
        return float(self.text)

    @property
    def last_place(self):
        """打印出的最后一位的一个单位：'8.3171' → 1e-4，'1.606e-03' → 1e-6，'2.' → 1。"""
        mantissa, _, exponent = self.text.lower().partition('e')
        decimals = len(mantissa.partition('.')[2])
        return 10.0 ** (int(exponent or 0) - decimals)


def split_numbers(text):
    """把文字拆成（去掉数字后的文字片段列表，数字列表）。"""
    words, numbers, start = [], [], 0
    for match in NUMBER.finditer(text):
        words.append(text[start:match.start()])
        numbers.append(Number(match.group()))
        start = match.end()
    words.append(text[start:])
    return words, numbers


def relative_difference(a, b):
    """|a - b| / max(|a|, |b|)；两个都是 0 时为 0。"""
    scale = max(abs(a), abs(b))
    return abs(a - b) / scale if scale else 0.0


def floats_match(a, b, rtol=RTOL, atol=ATOL, last_place=0.0):
    """a、b 在容差之内（再加上打印精度的一个单位 last_place）。"""
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    if math.isinf(a) or math.isinf(b):
        return a == b
    return abs(a - b) <= max(atol, rtol * max(abs(a), abs(b))) + last_place


@dataclass
class Comparison:
    """一次比对的结果：是否相同，不同在哪里，以及浮点数之间最大的漂移。"""
    problem: str = ''
    max_relative: float = 0.0   # 只统计差值超出 ATOL 加打印精度一个单位的数对
    floats: int = 0

    def __bool__(self):
        return not self.problem


def _line_of(words, index):
    """第 index 个数字所在行的文字（报错时给出上下文）。"""
    before = ''.join(words[:index + 1])
    return before.rsplit('\n', 1)[-1] + '…'


def compare_text(stored, fresh, rtol=RTOL, atol=ATOL):
    """按本模块的规则比较存储的输出 ``stored`` 与本次运行的输出 ``fresh``。"""
    if stored == fresh:
        return Comparison()
    stored_words, stored_numbers = split_numbers(stored)
    fresh_words, fresh_numbers = split_numbers(fresh)
    if stored_words != fresh_words:
        for a, b in zip(stored_words, fresh_words):
            if a != b:
                return Comparison(f'文字不同：存储的是 {a!r}，本次是 {b!r}')
        return Comparison(f'数字个数不同：存储的有 {len(stored_numbers)} 个，本次有 {len(fresh_numbers)} 个')
    result = Comparison()
    for index, (a, b) in enumerate(zip(stored_numbers, fresh_numbers)):
        if a.text == b.text:
            continue
        if a.is_integer or b.is_integer:
            return Comparison(f'整数不同：存储的是 {a.text}，本次是 {b.text}（在“{_line_of(stored_words, index)}”处）')
        x, y, printed = a.value, b.value, max(a.last_place, b.last_place)
        if not floats_match(x, y, rtol, atol, printed):
            return Comparison(
                f'浮点数超出容差：存储的是 {a.text}，本次是 {b.text}，相对差 {relative_difference(x, y):.1e}'
                f'（容差 rtol={rtol:g}, atol={atol:g}；在“{_line_of(stored_words, index)}”处）')
        result.floats += 1
        if abs(x - y) > atol + printed:   # 打印的舍入解释不了的漂移
            result.max_relative = max(result.max_relative, relative_difference(x, y))
    return result


def compare_values(stored, fresh):
    """比较一个输出字段：字符串按上面的规则，其他值（JSON 等）必须完全相同。"""
    if isinstance(stored, str) and isinstance(fresh, str):
        return compare_text(stored, fresh)
    return Comparison() if stored == fresh else Comparison('值不同')
