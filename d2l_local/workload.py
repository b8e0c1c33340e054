"""工作量策略：训练和读数据时，在什么情况下、把什么缩小多少。

这是手写的支撑模块（不由 #@save 单元生成）。书中的加载器和训练函数只在开头问它一次
（``plan_data``、``epochs``、``plan_training``），函数体本身只写书中讲解的内容，没有预算的算术。

缩小工作量只有两个原因，说明的格式也只有一种：

* **快速模式**（环境变量 ``D2L_QUICK=1``）：``make test`` 和 CI 用。训练轮数更少、
  每轮的批量更少、语料更短；每个单元和每条代码路径照常执行，只是数字不再是书中的结果。
* **只有 CPU**：第 7 章的现代卷积网络按书中的设置（放大到 96×96 或 224×224 的图像、
  每轮 6 万张、10 轮）是为 GPU 写的，在 CPU 上要训练好几个小时。``train_ch6`` 在 CPU 上
  遇到放大过的图像时改用网络能接受的较小图像、每轮较少的训练图像（按这台机器的速度，
  整个训练约 ``CPU_MINUTES`` 分钟）、测试集里固定的前约 2,000 张，支持 bfloat16 的 CPU
  上再用 bfloat16 自动混合精度。轮数、学习率、批量大小和网络结构都不变。

每缩小一样东西就打印一行（同一个内核里同一行只打印一次）::

    [快速模式 D2L_QUICK=1] 训练轮数：10 → 2（完整模式不缩小）
    [只有 CPU] 图像：224×224 → 80×80；每轮训练图像：60000 → 21504；……（有 GPU 时不缩小）

``reset_notices()`` 清空“已打印”的记录（测试用）。
"""
import contextlib
import copy
import dataclasses
import math
import os
import time

QUICK = '快速模式 D2L_QUICK=1'
CPU_ONLY = '只有 CPU'
NOTICE_PREFIX = f'[{QUICK}]'      # 快速模式说明行的开头：比对笔记本输出时忽略这些行

_UNCHANGED_WHEN = {QUICK: '完整模式不缩小', CPU_ONLY: '有 GPU 时不缩小'}
_printed = set()

# 快速模式下每个训练函数的轮数
QUICK_EPOCHS = {'train_ch3': 2, 'train_ch6': 2, 'train_ch8': 20, 'train_seq2seq': 30}
QUICK_CORPUS = 3000               # 快速模式下语料的最大字符数

# 只有 CPU 时第 7 章的设置（测量见 tools/PERF.md）
CPU_SIDES = (64, 80, 96)          # 依次尝试的图像边长：用网络能接受的最小的一个
CPU_MINUTES = 8                   # 整个训练大约用时（不算评估），按这台机器测得的速度折算成图像数
CPU_TEST_IMAGES = 2_000           # 测试集的前约 2,000 张（不打乱，所以每次是同一批图像）


def quick_mode():
    """是否处于快速模式。"""
    return os.environ.get('D2L_QUICK', '').strip().lower() not in ('', '0', 'false', 'no')


def reset_notices():
    """忘掉已经打印过的说明，之后每条说明会再打印一次。"""
    _printed.clear()


def notice(reason, changes):
    """打印一行缩减说明：``[原因] 项目：原值 → 新值；……（何时不缩小）``。一行只打印一次。"""
    line = f'[{reason}] {"；".join(changes)}（{_UNCHANGED_WHEN[reason]}）'
    if line not in _printed:
        _printed.add(line)
        print(line, flush=True)


def _change(what, full, reduced):
    return f'{what}：{full} → {reduced}'


def quick(what, full, reduced):
    """完整模式返回 ``full``；快速模式返回 ``reduced`` 并说明。只缩小不放大。

    负数按书中的惯例表示“全部”（例如 ``max_tokens=-1`` 是整部语料），算作比任何数都大。
    """
    everything = full < 0
    if not quick_mode() or (not everything and full <= reduced):
        return full
    notice(QUICK, [_change(what, '全部' if everything else full, reduced)])
    return reduced


def plan_data(train_iter, test_iter):
    """``load_data_fashion_mnist`` 的工作量：快速模式下按像素预算只取每轮前面的若干批。

    每轮的像素总数约等于“28×28 的图像、批量 256、训练 20 批（测试 10 批）”：图像越大、
    批量越大，留下的批量越少（训练 2 到 20 批，测试 1 到 10 批）。
    """
    if not quick_mode():
        return train_iter, test_iter
    shortened = []
    for split, loader, floor, cap in (('训练', train_iter, 2, 20), ('测试', test_iter, 1, 10)):
        height, width = loader.image_size
        wanted = max(floor, min(cap, round(cap * 256 * 28 * 28 / (height * width * loader.batch_size))))
        count = quick(f'Fashion-MNIST 每轮的{split}批量数', len(loader), wanted)
        shortened.append(loader.take(count))
    return tuple(shortened)


def epochs(trainer, num_epochs):
    """训练函数 ``trainer``（如 ``'train_ch6'``）开始前问一次：这次训练几轮。"""
    return quick('训练轮数', num_epochs, QUICK_EPOCHS[trainer])


@dataclasses.dataclass
class TrainingPlan:
    """``train_ch6`` 照着做的计划：轮数、数据迭代器，以及是否用 bfloat16 自动混合精度。"""
    num_epochs: int
    train_iter: object
    test_iter: object
    bfloat16: bool = False


def cpu_supports_bfloat16():
    """CPU 是否有 bfloat16 的硬件指令（AVX-512 BF16 或 AMX）：有才值得用 bfloat16 训练。"""
    import torch
    return torch.backends.mkldnn.is_available() and torch.ops.mkldnn._is_mkldnn_bf16_supported()


def _written_for_gpu(train_iter, device):
    """书中的设置是否是为 GPU 写的：在 CPU 上训练放大过的 Fashion-MNIST 图像（第 7 章）。"""
    import torch
    return (torch.device(device).type == 'cpu' and hasattr(train_iter, 'image_size')
            and min(train_iter.image_size) > 28)


@contextlib.contextmanager
def _probe(net):
    """在网络的副本上试算：不改动网络的参数，也不消耗全局的随机数。"""
    import torch
    with torch.random.fork_rng():
        yield copy.deepcopy(net)


def smallest_side(net, side):
    """CPU_SIDES 中网络能接受（前向计算不出错）的最小边长；都不行时用原来的边长。"""
    import torch
    with _probe(net) as copied, torch.no_grad():
        copied.eval()
        for candidate in CPU_SIDES:
            if candidate >= side:
                break
            try:
                copied(torch.zeros(1, 1, candidate, candidate))
                return candidate
            except RuntimeError:
                continue
    return side


def training_speed(net, X, y, bfloat16, channels_last=True, steps=3):
    """在网络的副本上像 ``train_ch6`` 那样训练几步（先预热一步），返回每秒训练的样本数。"""
    import torch
    from torch import nn
    memory = torch.channels_last if channels_last else torch.contiguous_format
    with _probe(net) as copied:
        copied.train()
        copied.to(memory_format=memory)
        optimizer = torch.optim.SGD(copied.parameters(), lr=0.0)
        X = X.contiguous(memory_format=memory)
        for step in range(steps + 1):
            if step == 1:   # 第一步是预热，不计时
                start = time.perf_counter()
            with torch.autocast('cpu', dtype=torch.bfloat16, enabled=bfloat16):
                loss = nn.functional.cross_entropy(copied(X), y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        return steps * len(y) / (time.perf_counter() - start)


def _examples_per_second(net, loader, bfloat16):
    """用加载器的第一个批量测出这台机器每秒能训练多少张图像（取批量时的打乱也不消耗随机数）。"""
    import torch
    with torch.random.fork_rng():
        X, y = next(iter(loader))
    return training_speed(net, X, y, bfloat16)


def plan_training(trainer, num_epochs, net, train_iter, test_iter, device):
    """训练函数 ``trainer`` 开始前问一次：这次训练多少、怎么训练（见模块说明）。

    只有 CPU 而书中的设置是为 GPU 写的时，缩小图像和每轮的图像数，并打印一行说明；
    再按快速模式缩小轮数。其余情况原样返回。
    """
    plan = TrainingPlan(num_epochs, train_iter, test_iter)
    if _written_for_gpu(train_iter, device):
        plan = _cpu_plan(plan, net)
    plan.num_epochs = epochs(trainer, plan.num_epochs)
    return plan


def _cpu_plan(plan, net):
    train_iter, test_iter = plan.train_iter, plan.test_iter
    changes = []
    side = max(train_iter.image_size)
    smaller = smallest_side(net, side)
    if smaller < side:
        changes.append(_change('图像', '×'.join(map(str, train_iter.image_size)), f'{smaller}×{smaller}'))
        train_iter, test_iter = train_iter.resized(smaller), test_iter.resized(smaller)
    bfloat16 = cpu_supports_bfloat16()
    if not quick_mode():   # 快速模式每轮只有几批，不必再测速
        speed = _examples_per_second(net, train_iter, bfloat16)
        wanted = speed * CPU_MINUTES * 60 / plan.num_epochs
        batches = max(1, math.floor(wanted / train_iter.batch_size))
        if batches < len(train_iter):
            changes.append(_change('每轮训练图像', train_iter.num_examples,
                                   batches * train_iter.batch_size)
                           + f'（每轮重新打乱后取前 {batches} 批；按这台机器每秒约 {speed:.0f} 张，'
                             f'训练约 {CPU_MINUTES} 分钟）')
            train_iter = train_iter.take(batches)
    batches = math.ceil(CPU_TEST_IMAGES / test_iter.batch_size)
    if batches < len(test_iter):
        changes.append(_change('测试图像', test_iter.num_examples,
                               f'前 {batches * test_iter.batch_size} 张'))
        test_iter = test_iter.take(batches)
    if bfloat16:
        changes.append('前向计算：float32 → bfloat16 自动混合精度（这台 CPU 有 bfloat16 指令）')
    if changes:
        notice(CPU_ONLY, changes)
    return TrainingPlan(plan.num_epochs, train_iter, test_iter, bfloat16)
