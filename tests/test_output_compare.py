"""笔记本输出的比对规则（tests/output_compare.py）确实会失败，而且只容许浮点舍入误差。"""
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import nbformat
import pytest

from tests.output_compare import ATOL, RTOL, compare_text, split_numbers

ROOT = Path(__file__).resolve().parents[1]

STORED = 'loss 8.317172, train acc 0.812, shape torch.Size([2, 3]), dtype torch.float32, 10 epochs\n'


@pytest.mark.parametrize('fresh', [
    STORED,
    STORED.replace('8.317172', '8.317173'),                 # 最后一位不同
    STORED.replace('0.812', f'{0.812 * (1 + RTOL / 2):.6f}'),  # 容差之内
])
def test_float_noise_passes(fresh):
    assert compare_text(STORED, fresh)


def test_values_near_zero_use_the_absolute_floor():
    assert compare_text('max error 2.4e-06\n', 'max error 2.9e-06\n')
    assert compare_text('tensor([-0.0000, 1.0000])', 'tensor([0.0000, 1.0000])')
    assert not compare_text('max error 2.4e-06\n', f'max error {3 * ATOL:.1e}\n')


@pytest.mark.parametrize('fresh, reason', [
    (STORED.replace('loss', 'lost'), '文字不同'),
    (STORED.replace('[2, 3]', '[3, 3]'), '整数不同'),
    (STORED.replace('[2, 3]', '[2, 3, 1]'), '文字不同'),
    (STORED.replace('float32', 'float64'), '文字不同'),
    (STORED.replace('10 epochs', '11 epochs'), '整数不同'),
    (STORED.replace('8.317172', '8.35'), '超出容差'),
    (STORED.replace('8.317172', '-8.317172'), '超出容差'),
    (STORED + 'one more line\n', '文字不同'),
    (STORED.replace(', 10 epochs', ''), '文字不同'),
    (STORED.replace('0.812', '0.812 0.1'), '文字不同'),
])
def test_meaningful_changes_fail(fresh, reason):
    result = compare_text(STORED, fresh)
    assert not result
    assert reason in result.problem


def test_a_flip_in_the_last_printed_digit_passes():
    # GELU(-3) = -0.004049...：不同的内核可能把它算成 -0.00405 附近的两侧，打印出的最后一位差 1
    assert compare_text('GELU -0.0041 0.3457', 'GELU -0.0040 0.3457')
    assert compare_text('loss 1.606e-03', 'loss 1.607e-03')
    assert not compare_text('GELU -0.0041 0.3457', 'GELU -0.0039 0.3457')   # 差 2 个单位
    assert not compare_text('loss 1.606e-03', 'loss 1.585e-03')


def test_last_place():
    places = {t: split_numbers(t)[1][0].last_place for t in ['8.3171', '1.606e-03', '2.', '-0.0041', '1e+09']}
    assert places == pytest.approx({'8.3171': 1e-4, '1.606e-03': 1e-6, '2.': 1, '-0.0041': 1e-4, '1e+09': 1e9})


def test_missing_line_fails():
    stored = 'epoch 1, loss 0.5\nepoch 2, loss 0.4\n'
    assert not compare_text(stored, 'epoch 1, loss 0.5\n')


def test_numbers_inside_names_are_text():
    words, numbers = split_numbers('torch.float32 Conv2d x1 2.15.0 -1.5e-3 nan')
    assert [n.text for n in numbers] == ['2.15', '-1.5e-3', 'nan']
    assert [n.is_integer for n in numbers] == [False, False, False]
    assert compare_text('torch.float32', 'torch.float32')
    assert not compare_text('torch.float32', 'torch.float64')


def test_drift_is_measured():
    result = compare_text('a 100.000 b 0.5', 'a 100.010 b 0.5')
    assert result and result.floats == 1
    assert result.max_relative == pytest.approx(1e-4, rel=1e-2)


def _notebook(cells):
    """按 (代码, 存储的 stdout) 造一个已“执行过”的笔记本。"""
    nb = nbformat.v4.new_notebook()
    for i, (source, stored) in enumerate(cells, 1):
        cell = nbformat.v4.new_code_cell(source, execution_count=i)
        cell.outputs = [nbformat.v4.new_output('stream', name='stdout', text=stored)]
        nb.cells.append(cell)
    nb.metadata['kernelspec'] = {'name': 'python3', 'display_name': 'Python 3', 'language': 'python'}
    return nb


def test_nbval_uses_the_rule(tmp_path):
    """在真的内核里运行一个小笔记本：容差内的浮点数通过，其余每种改动都判为失败。"""
    cells = [
        ('print(round(0.1 + 0.2, 7))', '0.3000001\n'),          # 容差内：通过
        ('print("shape", (2, 3))', 'shape (2, 4)\n'),           # 整数差 1：失败
        ('print("loss", 1.25)', 'loss 1.30\n'),                 # 超出容差：失败
        ('print("训练完成")', '训练结束\n'),                     # 文字不同：失败
        ('print("a"); print("b")', 'a\n'),                      # 多出一行：失败
        ('print(1e-7)', '3e-07\n'),                             # 近零的噪声：通过
    ]
    path = tmp_path / 'rule.ipynb'
    nbformat.write(_notebook(cells), path)
    report = tmp_path / 'report.xml'
    subprocess.run([sys.executable, '-m', 'pytest', str(path), '--nbval', '--nbval-current-env',
                    '-p', 'conftest', '-p', 'no:cacheprovider', f'--junitxml={report}', '-q'],
                   cwd=ROOT, capture_output=True, text=True, timeout=300)
    outcomes = []
    for case in ET.parse(report).iter('testcase'):
        outcomes.append('failed' if case.find('failure') is not None else 'passed')
    assert outcomes == ['passed', 'failed', 'failed', 'failed', 'failed', 'passed']
