"""d2l_local 是 d2l 0.17.6 第 1–9 章的完整替身：逐个名字对照安装的 d2l 检查。

要对照的名字不是手抄的清单，而是从安装的 d2l 的 torch.py 里读出来的：从文件开头到 ``bleu``
（第 9 章的最后一个定义）为止的全部顶层名字，加上文件末尾的别名块（``ones = torch.ones`` 起）。
对每个名字检查：存在；种类相同（类、函数、值）；函数和类的方法参数名、顺序、种类和默认值相同，
只允许在末尾多出带默认值的参数；值相同。
"""
import ast
import importlib.util
import inspect
import types

import pytest

import d2l_local
from d2l_local import later_chapters

reference = pytest.importorskip('d2l.torch', reason='对照用的 d2l 0.17.6 没有安装（make install 会装）')


def reference_source():
    return open(importlib.util.find_spec('d2l.torch').origin, encoding='utf-8').read()


def _top_level_names(nodes):
    """顶层语句定义的名字及其种类：'class'、'function' 或 'value'；另返回 DATA_HUB 的 (键, 值)。"""
    names, hub_keys = {}, []
    for node in nodes:
        if isinstance(node, ast.ClassDef):
            names[node.name] = 'class'
        elif isinstance(node, ast.FunctionDef):
            names[node.name] = 'function'
        elif isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):   # numpy = lambda x, ...: 也是函数
                    names[target.id] = 'function' if isinstance(node.value, ast.Lambda) else 'value'
                elif (isinstance(target, ast.Subscript) and 'DATA_HUB' in ast.unparse(target.value)):
                    # 登记的值按源码求出（其他测试可能为了离线运行改写安装的 d2l 的 DATA_HUB）
                    value = eval(compile(ast.Expression(node.value), 'd2l', 'eval'),
                                 {'d2l': types.SimpleNamespace(DATA_URL=reference.DATA_URL),
                                  'DATA_URL': reference.DATA_URL})
                    hub_keys.append((ast.literal_eval(target.slice), value))
    return names, hub_keys


def reference_layout(source):
    """把 d2l 的 torch.py 分成（第 1–9 章的名字, 这些章登记的数据集, 之后各章的名字）。"""
    tree = ast.parse(source)
    lines = source.splitlines()
    aliases_start = next(i for i, line in enumerate(lines, 1) if line.startswith('ones = torch.ones'))
    bleu_end = next(node.end_lineno for node in tree.body
                    if isinstance(node, ast.FunctionDef) and node.name == 'bleu')
    book = [node for node in tree.body if node.lineno <= bleu_end or node.lineno >= aliases_start]
    later = [node for node in tree.body if bleu_end < node.lineno < aliases_start]
    names, hub_keys = _top_level_names(book)
    later_names, _ = _top_level_names(later)
    return names, hub_keys, later_names


BOOK_NAMES, BOOK_DATASETS, LATER_NAMES = reference_layout(reference_source())


def _parameters(obj):
    return list(inspect.signature(obj).parameters.values())


def signature_differences(name, ref, ours):
    """ours 的参数与 ref 相同（名字、顺序、种类、默认值）；末尾只能多出可省略的参数。"""
    ref_params, our_params = _parameters(ref), _parameters(ours)
    problems = []
    for i, r in enumerate(ref_params):
        if i >= len(our_params):
            problems.append(f'{name}：缺少参数 {r.name}')
            break
        o = our_params[i]
        if (o.name, o.kind) != (r.name, r.kind):
            problems.append(f'{name}：第 {i + 1} 个参数应为 {r}，实际为 {o}')
            break
        if o.default is not r.default and o.default != r.default:
            problems.append(f'{name}：参数 {r.name} 的默认值应为 {r.default!r}，实际为 {o.default!r}')
    for o in our_params[len(ref_params):]:
        if o.default is inspect.Parameter.empty and o.kind not in (o.VAR_POSITIONAL, o.VAR_KEYWORD):
            problems.append(f'{name}：多出的参数 {o.name} 必须有默认值')
    return problems


def class_differences(name, ref_cls, our_cls):
    """类：d2l 在类体里定义的每个方法和属性，ours 都要有，且参数一致。"""
    problems = []
    for attr, ref_attr in vars(ref_cls).items():
        if not callable(ref_attr) and not isinstance(ref_attr, (property, staticmethod, classmethod)):
            continue
        try:
            our_attr = inspect.getattr_static(our_cls, attr)
        except AttributeError:
            problems.append(f'{name}.{attr} 不存在')
            continue
        if isinstance(ref_attr, property):
            if not isinstance(our_attr, property):
                problems.append(f'{name}.{attr} 应当是属性（property）')
            continue
        unwrap = lambda a: a.__func__ if isinstance(a, (staticmethod, classmethod)) else a
        if type(ref_attr) is not type(our_attr) and not (inspect.isfunction(unwrap(ref_attr))
                                                          and inspect.isfunction(unwrap(our_attr))):
            problems.append(f'{name}.{attr} 的种类不同')
            continue
        problems += signature_differences(f'{name}.{attr}', unwrap(ref_attr), unwrap(our_attr))
    return problems


def api_differences(ours, names=BOOK_NAMES, ref_module=reference):
    """ours 与 d2l 0.17.6 在 names 上的全部差异（空列表表示完全兼容）。"""
    problems = []
    for name, kind in names.items():
        if not hasattr(ours, name):
            problems.append(f'缺少 {name}（d2l 中是{kind}）')
            continue
        ref, mine = getattr(ref_module, name), getattr(ours, name)
        if kind == 'class':
            if not inspect.isclass(mine):
                problems.append(f'{name} 应当是类')
            else:
                problems += signature_differences(name, ref, mine)
                problems += class_differences(name, ref, mine)
        elif kind == 'function':
            if inspect.isclass(mine) or not callable(mine):
                problems.append(f'{name} 应当是函数')
            else:
                problems += signature_differences(name, ref, mine)
        elif isinstance(ref, types.ModuleType):         # d2l = sys.modules[__name__]
            if mine is not ours:
                problems.append(f'{name} 应当指包自身')
        elif name == 'DATA_HUB':
            problems += [f'DATA_HUB 缺少 {key!r} 或登记不同' for key, entry in BOOK_DATASETS
                         if mine.get(key) != entry]
        elif mine is not ref and mine != ref:
            problems.append(f'{name} 应当等于 {ref!r}，实际为 {mine!r}')
    return problems


def test_every_chapter_1_to_9_name_matches_d2l():
    problems = api_differences(d2l_local)
    kinds = {kind: sum(k == kind for k in BOOK_NAMES.values()) for kind in ('class', 'function', 'value')}
    print(f'对照了 d2l 0.17.6 第 1–9 章与别名块的 {len(BOOK_NAMES)} 个名字：'
          f'{kinds["class"]} 个类、{kinds["function"]} 个函数、{kinds["value"]} 个值；'
          f'数据集 {len(BOOK_DATASETS)} 个')
    assert not problems, '\n'.join(problems)


def test_the_reference_range_is_what_the_book_covers():
    # 读出的范围要包含第 2 章的第一个定义、第 9 章的最后一个定义和别名块，不含第 10 章
    assert {'use_svg_display', 'bleu', 'reshape', 'nn_Module', 'Vocab', 'train_ch6'} <= set(BOOK_NAMES)
    assert 'MultiHeadAttention' not in BOOK_NAMES and 'MultiHeadAttention' in LATER_NAMES
    assert len(BOOK_NAMES) > 90


# —— 检查本身会失败：去掉一个名字、改一个参数名、改一个默认值、换一个种类 ——

def _copy_of_package(**changes):
    fake = types.SimpleNamespace(**{name: getattr(d2l_local, name) for name in BOOK_NAMES})
    fake.d2l = fake
    for name, value in changes.items():
        if value is None:
            delattr(fake, name)
        else:
            setattr(fake, name, value)
    return fake


def test_check_fails_when_a_name_is_removed():
    assert api_differences(_copy_of_package(reshape=None)) == ['缺少 reshape（d2l 中是function）']


def test_check_fails_when_a_parameter_is_renamed():
    def evaluate_accuracy(network, data_iter):
        pass
    problems = api_differences(_copy_of_package(evaluate_accuracy=evaluate_accuracy))
    assert problems and 'evaluate_accuracy：第 1 个参数' in problems[0]


def test_check_fails_when_a_default_changes_or_a_required_parameter_is_added():
    def try_gpu(i=1):
        pass

    def bleu(pred_seq, label_seq, k, smooth):
        pass
    problems = api_differences(_copy_of_package(try_gpu=try_gpu, bleu=bleu))
    assert any('try_gpu：参数 i 的默认值' in p for p in problems)
    assert any('bleu：多出的参数 smooth' in p for p in problems)


def test_check_fails_for_a_wrong_kind_or_a_missing_method():
    class Vocab:
        def __init__(self, tokens=None, min_freq=0, reserved_tokens=None):
            pass
    problems = api_differences(_copy_of_package(Vocab=Vocab, Timer=lambda: None, float32=float))
    assert any(p.startswith('Vocab.to_tokens 不存在') for p in problems)
    assert 'Timer 应当是类' in problems
    assert any(p.startswith('float32 应当等于') for p in problems)


# —— 本书之后各章的名字：清楚的说明 ——

def test_later_chapter_table_matches_d2l_exactly():
    assert set(later_chapters.CHAPTER_OF) == set(LATER_NAMES)


@pytest.mark.parametrize('name, chapter', [('MultiHeadAttention', '第 10 章 注意力机制'),
                                           ('train_ch13', '第 13 章 计算机视觉'),
                                           ('load_data_snli', '第 15 章 自然语言处理：应用')])
def test_later_chapter_name_says_where_it_belongs(name, chapter):
    with pytest.raises(AttributeError, match=chapter) as info:
        getattr(d2l_local, name)
    assert '本书只涵盖第 1–9 章' in str(info.value)
    assert not hasattr(d2l_local, name)


def test_other_missing_names_get_the_ordinary_message():
    with pytest.raises(AttributeError, match=r"^module 'd2l_local' has no attribute 'no_such_thing'$"):
        d2l_local.no_such_thing
