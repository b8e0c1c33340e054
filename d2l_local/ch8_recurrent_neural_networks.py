"""第 8 章 循环神经网络：书中保存的定义，按讲授的顺序。

本文件由 tools/build_lib.py 从书中的 #@save 单元生成，请勿手工修改：修改书中的单元后运行 `make lib`。
"""
import collections
import math
import random
import re
import torch
from torch import nn
from torch.nn import functional as F
from d2l_local import workload
from d2l_local.ch3_linear_networks import Animator, Timer, sgd
from d2l_local.ch4_multilayer_perceptrons import download

__all__ = [
    'read_time_machine', 'tokenize', 'Vocab', 'count_corpus', 'load_corpus_time_machine',
    'seq_data_iter_random', 'seq_data_iter_sequential', 'SeqDataLoader',
    'load_data_time_machine', 'RNNModelScratch', 'predict_ch8', 'grad_clipping',
    'train_epoch_ch8', 'train_ch8', 'RNNModel',
]


# 8.2 文本预处理 · chapter_recurrent-neural-networks/text-preprocessing
def read_time_machine():
    """读取《时间机器》全文，每行只保留字母并转成小写，返回行的列表。"""
    with open(download('time_machine'), 'r') as f:
        raw_lines = f.readlines()
    # 一串连续的非字母字符（标点、数字、撇号、换行符等）换成一个空格
    non_letters = re.compile('[^A-Za-z]+')
    return [non_letters.sub(' ', raw).strip().lower() for raw in raw_lines]


# 8.2 文本预处理 · chapter_recurrent-neural-networks/text-preprocessing
def tokenize(lines, token='word'):
    """把每行文本拆成词元列表：token='word' 按空白拆成单词，'char' 拆成字符。

    结果仍是“行的列表”，每行变成一个字符串列表；token 取其他值时打印错误信息，返回 None。
    """
    # 两种粒度各对应一个拆分一行的函数
    splitters = {'word': lambda line: line.split(), 'char': list}
    if token not in splitters:
        message = 'ERROR: unknown token type: ' + token
        print(message)
        return None
    split_line = splitters[token]
    return [split_line(line) for line in lines]


# 8.2 文本预处理 · chapter_recurrent-neural-networks/text-preprocessing
class Vocab:
    """词表：在词元和从 0 开始的整数索引之间互相转换。

    索引 0 固定留给未知词元 '<unk>'，其后是 reserved_tokens，再往后按词频从高到低
    排列（词频相同时保持首次出现的顺序）；出现次数少于 min_freq 的词元不进词表。
    """

    def __init__(self, tokens=None, min_freq=0, reserved_tokens=None):
        counter = count_corpus([] if tokens is None else tokens)
        # most_common() 按词频降序稳定排序：词频相同的词元保持首次出现的顺序
        self._token_freqs = counter.most_common()
        specials = ['<unk>'] + ([] if reserved_tokens is None else reserved_tokens)
        # 词频降序排列，满足 min_freq 的恰好是开头的一段；已是特殊词元的不重复收录
        regular = [tok for tok, freq in self._token_freqs
                   if freq >= min_freq and tok not in specials]
        self.idx_to_token = specials + regular
        self.token_to_idx = {tok: idx for idx, tok in enumerate(self.idx_to_token)}

    def __len__(self):
        return len(self.idx_to_token)

    def __getitem__(self, tokens):
        """词元 → 索引；传入列表或元组时逐个转换。不认识的词元得到 unk。"""
        if isinstance(tokens, (list, tuple)):
            return [self[tok] for tok in tokens]
        idx = self.token_to_idx.get(tokens)
        return self.unk if idx is None else idx

    def to_tokens(self, indices):
        """索引 → 词元；传入列表或元组时逐个转换。"""
        table = self.idx_to_token
        if isinstance(indices, (list, tuple)):
            return [table[i] for i in indices]
        return table[indices]

    @property
    def unk(self):
        """未知词元 '<unk>' 的索引，总是 0。"""
        return 0

    @property
    def token_freqs(self):
        """(词元, 出现次数) 的列表，按词频从高到低排列。"""
        return self._token_freqs


# 8.2 文本预处理 · chapter_recurrent-neural-networks/text-preprocessing
def count_corpus(tokens):
    """统计词元频率；tokens 可以是一维列表，也可以是“行的列表”。"""
    nested = len(tokens) == 0 or isinstance(tokens[0], list)
    # “行的列表”逐行逐个词元地数，相当于先展平再计数
    flat_tokens = (tok for line in tokens for tok in line) if nested else tokens
    return collections.Counter(flat_tokens)


# 8.2 文本预处理 · chapter_recurrent-neural-networks/text-preprocessing
def load_corpus_time_machine(max_tokens=-1):
    """返回《时间机器》的字符索引序列 corpus 和字符词表 vocab。"""
    char_lines = tokenize(read_time_machine(), 'char')
    vocab = Vocab(char_lines)
    # 文本的行不一定是句子或段落，所以把所有行首尾相接，一次翻译成一长串索引
    corpus = vocab[[ch for line in char_lines for ch in line]]
    if max_tokens > 0:
        corpus = corpus[:max_tokens]
    return corpus, vocab


# 8.3 语言模型和数据集 · chapter_recurrent-neural-networks/language-models-and-dataset
def seq_data_iter_random(corpus, batch_size, num_steps):
    """随机采样：每个小批量由从序列各处随机取出的子序列组成。"""
    # 随机丢掉开头的 0 到 num_steps-1 个词元，让每轮的切分位置不同
    tokens = torch.tensor(corpus[random.randint(0, num_steps - 1):])
    # 每个子序列占 num_steps 个词元；标签向后错一位，所以最后一个词元只能作标签
    num_subseqs = (len(tokens) - 1) // num_steps
    starts = [i * num_steps for i in range(num_subseqs)]
    random.shuffle(starts)
    # 打乱后的起点按顺序每 batch_size 个一组，凑不满一组的舍去
    num_used = num_subseqs - num_subseqs % batch_size
    groups = torch.tensor(starts[:num_used]).reshape(-1, batch_size)
    steps = torch.arange(num_steps)
    for group in groups:
        positions = group[:, None] + steps  # (批量大小, 时间步数) 的下标
        yield tokens[positions], tokens[positions + 1]


# 8.3 语言模型和数据集 · chapter_recurrent-neural-networks/language-models-and-dataset
def seq_data_iter_sequential(corpus, batch_size, num_steps):
    """顺序分区：相邻两个小批量中，同一行的子序列在原序列上首尾相接。"""
    first = random.randint(0, num_steps)  # 随机的起点：0 到 num_steps（含两端）
    # 标签比输入多用一个词元；用到的词元数取 batch_size 的整数倍，才能平均分成 batch_size 行
    usable = (len(corpus) - first - 1) // batch_size * batch_size
    # 输入从 first 开始，标签从 first + 1 开始，各取 usable 个词元，每行是原序列中连续的一段
    inputs, labels = [torch.tensor(corpus[start:start + usable]).reshape(batch_size, -1)
                      for start in (first, first + 1)]
    # 每行从左到右每次截取 num_steps 列
    for b in range(inputs.shape[1] // num_steps):
        cols = slice(b * num_steps, (b + 1) * num_steps)
        yield inputs[:, cols], labels[:, cols]


# 8.3 语言模型和数据集 · chapter_recurrent-neural-networks/language-models-and-dataset
class SeqDataLoader:
    """序列数据的迭代器：每次迭代（每轮）重新随机切分一次。"""

    def __init__(self, batch_size, num_steps, use_random_iter, max_tokens):
        # 选定采样方式：随机采样或顺序分区
        self.data_iter_fn = seq_data_iter_random if use_random_iter else seq_data_iter_sequential
        self.corpus, self.vocab = load_corpus_time_machine(max_tokens)
        self.batch_size = batch_size
        self.num_steps = num_steps

    def __iter__(self):
        # 每次被迭代都重新调用采样函数：重新抽取偏移量，重新切分
        sample = self.data_iter_fn
        return sample(self.corpus, self.batch_size, self.num_steps)


# 8.3 语言模型和数据集 · chapter_recurrent-neural-networks/language-models-and-dataset
def load_data_time_machine(batch_size, num_steps, use_random_iter=False,
                           max_tokens=10000):
    """返回《时间机器》前 max_tokens 个字符的小批量迭代器和词表。"""
    max_tokens = workload.quick('语料长度（字符数）', max_tokens, workload.QUICK_CORPUS)
    loader = SeqDataLoader(batch_size, num_steps, use_random_iter, max_tokens)
    return loader, loader.vocab


# 8.5 循环神经网络的从零开始实现 · chapter_recurrent-neural-networks/rnn-scratch
class RNNModelScratch:
    """从零开始实现的循环神经网络模型。

    三个函数作为参数传入：get_params 创建参数，init_state 给出初始隐状态，
    forward_fn 沿时间步做前向计算。换一种循环网络，只需换掉这三个函数。
    """

    def __init__(self, vocab_size, num_hiddens, device, get_params, init_state, forward_fn):
        # 记下两个尺寸：__call__ 用词表大小做独热编码，begin_state 用隐藏单元数
        self.num_hiddens, self.vocab_size = num_hiddens, vocab_size
        self.init_state = init_state  # (批量大小, 隐藏单元数, 设备) → 初始隐状态
        self.forward_fn = forward_fn  # (输入, 隐状态, 参数) → (输出, 新的隐状态)
        self.params = get_params(self.vocab_size, self.num_hiddens, device)

    def __call__(self, X, state):
        # (批量大小, 时间步数) 的索引先转置，再独热编码成 (时间步数, 批量大小, 词表大小)
        inputs = F.one_hot(X.T, self.vocab_size).to(torch.float32)
        return self.forward_fn(inputs, state, self.params)

    def begin_state(self, batch_size, device):
        """批量大小为 batch_size 的初始隐状态，由 init_state 创建在 device 上。"""
        hidden_size = self.num_hiddens
        return self.init_state(batch_size, hidden_size, device)


# 8.5 循环神经网络的从零开始实现 · chapter_recurrent-neural-networks/rnn-scratch
def predict_ch8(prefix, num_preds, net, vocab, device):
    """在 prefix 之后续写 num_preds 个字符（每步取概率最大的字符）。"""
    # 一次只续写一条文本，批量大小为 1
    state = net.begin_state(device=device, batch_size=1)
    indices = [vocab[prefix[0]]]

    def step(state):
        # 把最近的一个字符作为 (批量大小 1, 时间步数 1) 的输入送进模型
        X = torch.tensor([[indices[-1]]], device=device)
        return net(X, state)

    for ch in prefix[1:]:  # 预热期：用前缀更新隐状态，输出丢弃
        _, state = step(state)
        indices.append(vocab[ch])
    for _ in range(num_preds):  # 预测期：得分最大的字符既是输出，也是下一步的输入
        Y, state = step(state)
        indices.append(Y.argmax(dim=1).item())
    return ''.join(vocab.idx_to_token[i] for i in indices)


# 8.5 循环神经网络的从零开始实现 · chapter_recurrent-neural-networks/rnn-scratch
def grad_clipping(net, theta):
    """梯度裁剪：所有参数梯度拼成的向量，其 L2 范数超过 theta 时按比例缩小到 theta。"""
    # nn.Module 只取需要梯度的参数；从零实现的模型把参数列在 net.params 里
    is_module = isinstance(net, nn.Module)
    params = [p for p in net.parameters() if p.requires_grad] if is_module else net.params
    # 各参数梯度的范数组成的向量，它的范数就是所有梯度拼成的长向量的范数
    per_param = torch.stack([p.grad.norm() for p in params])
    total_norm = torch.linalg.vector_norm(per_param)
    # 按公式乘以 min(1, theta / 范数)：因子留在设备上，不必为判断范数是否超过 theta 而等待 GPU
    factor = (theta / total_norm).clamp(max=1)
    for p in params:
        p.grad.mul_(factor)


# 8.5 循环神经网络的从零开始实现 · chapter_recurrent-neural-networks/rnn-scratch
def train_epoch_ch8(net, train_iter, loss, updater, device, use_random_iter):
    """训练一轮（第8章），返回困惑度和每秒处理的词元数。"""
    timer, built_in = Timer(), isinstance(updater, torch.optim.Optimizer)
    state, total_loss, num_tokens = None, torch.zeros((), device=device), 0  # 损失在设备上累加
    for X, Y in train_iter:
        fresh_start = state is None or use_random_iter
        if fresh_start:
            # 第一个小批量，或随机采样（相邻批量不相接）时，从全零的隐状态开始
            state = net.begin_state(batch_size=len(X), device=device)
        else:
            # 顺序分区：沿用上一批的隐状态，但切断它与之前计算图的联系
            for tensor in [state] if torch.is_tensor(state) else state:
                tensor.detach_()
        # 标签按时间步优先展平，与模型输出 (时间步数×批量大小, 词表大小) 的行一一对应
        y = Y.T.reshape(-1).to(device)
        y_hat, state = net(X.to(device), state)
        l = loss(y_hat, y.long()).mean()
        if built_in:
            updater.zero_grad()
        l.backward()
        grad_clipping(net, 1)
        if built_in:
            updater.step()
        else:
            updater(batch_size=1)  # 损失已经取过平均
        total_loss += l.detach() * y.numel()
        num_tokens += y.numel()
    return math.exp(float(total_loss) / num_tokens), num_tokens / timer.stop()


# 8.5 循环神经网络的从零开始实现 · chapter_recurrent-neural-networks/rnn-scratch
def train_ch8(net, train_iter, vocab, lr, num_epochs, device,
              use_random_iter=False):
    """训练字符级语言模型（第8章）：每 10 轮在图上记一次困惑度，最后续写两个前缀。"""
    num_epochs = workload.epochs('train_ch8', num_epochs)
    loss = nn.CrossEntropyLoss()
    animator = Animator(xlabel='epoch', ylabel='perplexity', legend=['train'],
                        xlim=[10, num_epochs])
    if isinstance(net, nn.Module):
        updater = torch.optim.SGD(net.parameters(), lr)
    else:  # 从零实现的模型：用第3章的 sgd 更新它的参数列表
        updater = lambda batch_size: sgd(net.params, lr, batch_size)
    for epoch in range(1, num_epochs + 1):
        ppl, speed = train_epoch_ch8(net, train_iter, loss, updater, device, use_random_iter)
        if epoch % 10 == 0:
            animator.add(epoch, [ppl])
    print(f'perplexity {ppl:.1f}, {speed:.1f} tokens/sec on {device}')
    for prefix in ('time traveller', 'traveller'):
        print(predict_ch8(prefix, 50, net, vocab, device))


# 8.6 循环神经网络的简洁实现 · chapter_recurrent-neural-networks/rnn-concise
class RNNModel(nn.Module):
    """循环神经网络模型：循环层（nn.RNN/GRU/LSTM）加一个输出层。"""

    def __init__(self, rnn_layer, vocab_size, **kwargs):
        super().__init__(**kwargs)
        self.rnn = rnn_layer
        self.vocab_size = vocab_size
        self.num_hiddens = rnn_layer.hidden_size
        # 双向循环网络（第9章）的输出把两个方向拼在一起，宽度翻倍
        self.num_directions = 2 if rnn_layer.bidirectional else 1
        self.linear = nn.Linear(self.num_directions * self.num_hiddens, vocab_size)

    def forward(self, inputs, state):
        # (批量大小, 时间步数) 的索引 → (时间步数, 批量大小, 词表大小) 的独热向量
        X = F.one_hot(inputs.T.long(), self.vocab_size).to(torch.float32)
        Y, state = self.rnn(X, state)
        # Y: (时间步数, 批量大小, 隐藏单元数)；合并前两维后每行对应一个位置，再交给输出层
        return self.linear(Y.flatten(0, 1)), state

    def begin_state(self, device, batch_size=1):
        """全零的初始状态，形状为 (方向数 × 层数, 批量大小, 隐藏单元数)。"""
        shape = (self.num_directions * self.rnn.num_layers, batch_size, self.num_hiddens)
        zeros = lambda: torch.zeros(shape, device=device)
        # nn.LSTM 的状态是 (隐状态, 记忆元) 两个张量；nn.RNN、nn.GRU 只有一个隐状态张量
        return (zeros(), zeros()) if isinstance(self.rnn, nn.LSTM) else zeros()
