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
        lines = f.readlines()
    return [re.sub('[^A-Za-z]+', ' ', line).strip().lower() for line in lines]


# 8.2 文本预处理 · chapter_recurrent-neural-networks/text-preprocessing
def tokenize(lines, token='word'):
    """把每行文本拆成词元列表：token='word' 按空格拆成单词，'char' 拆成字符。"""
    if token == 'word':
        return [line.split() for line in lines]
    if token == 'char':
        return [list(line) for line in lines]
    print('ERROR: unknown token type: ' + token)


# 8.2 文本预处理 · chapter_recurrent-neural-networks/text-preprocessing
class Vocab:
    """词表：在词元和从 0 开始的整数索引之间互相转换。

    索引 0 固定留给未知词元 '<unk>'，其后是 reserved_tokens，再往后按词频从高到低
    排列（词频相同时保持首次出现的顺序）；出现次数少于 min_freq 的词元不进词表。
    """

    def __init__(self, tokens=None, min_freq=0, reserved_tokens=None):
        tokens = [] if tokens is None else tokens
        reserved_tokens = [] if reserved_tokens is None else reserved_tokens
        counter = count_corpus(tokens)
        self._token_freqs = sorted(counter.items(), key=lambda x: x[1], reverse=True)
        self.idx_to_token = ['<unk>'] + reserved_tokens
        self.token_to_idx = {token: idx for idx, token in enumerate(self.idx_to_token)}
        for token, freq in self._token_freqs:
            if freq < min_freq:
                break
            if token not in self.token_to_idx:
                self.idx_to_token.append(token)
                self.token_to_idx[token] = len(self.idx_to_token) - 1

    def __len__(self):
        return len(self.idx_to_token)

    def __getitem__(self, tokens):
        """词元 → 索引；传入列表或元组时逐个转换。不认识的词元得到 unk。"""
        if not isinstance(tokens, (list, tuple)):
            return self.token_to_idx.get(tokens, self.unk)
        return [self.__getitem__(token) for token in tokens]

    def to_tokens(self, indices):
        """索引 → 词元；传入列表或元组时逐个转换。"""
        if not isinstance(indices, (list, tuple)):
            return self.idx_to_token[indices]
        return [self.idx_to_token[index] for index in indices]

    @property
    def unk(self):
        return 0

    @property
    def token_freqs(self):
        return self._token_freqs


# 8.2 文本预处理 · chapter_recurrent-neural-networks/text-preprocessing
def count_corpus(tokens):
    """统计词元频率；tokens 可以是一维列表，也可以是“行的列表”。"""
    if len(tokens) == 0 or isinstance(tokens[0], list):
        tokens = [token for line in tokens for token in line]
    return collections.Counter(tokens)


# 8.2 文本预处理 · chapter_recurrent-neural-networks/text-preprocessing
def load_corpus_time_machine(max_tokens=-1):
    """返回《时间机器》的字符索引序列 corpus 和字符词表 vocab。"""
    lines = read_time_machine()
    tokens = tokenize(lines, 'char')
    vocab = Vocab(tokens)
    # 文本的行不一定是句子或段落，所以把所有行拼成一个长序列
    corpus = [vocab[token] for line in tokens for token in line]
    if max_tokens > 0:
        corpus = corpus[:max_tokens]
    return corpus, vocab


# 8.3 语言模型和数据集 · chapter_recurrent-neural-networks/language-models-and-dataset
def seq_data_iter_random(corpus, batch_size, num_steps):
    """随机采样：每个小批量由从序列各处随机取出的子序列组成。"""
    # 随机偏移起点（0 到 num_steps-1），让每轮的切分位置不同
    corpus = corpus[random.randint(0, num_steps - 1):]
    # 减 1：标签是输入向后错一位的序列
    num_subseqs = (len(corpus) - 1) // num_steps
    initial_indices = list(range(0, num_subseqs * num_steps, num_steps))
    random.shuffle(initial_indices)
    corpus = torch.tensor(corpus)
    offsets = torch.arange(num_steps)
    num_batches = num_subseqs // batch_size
    for i in range(0, batch_size * num_batches, batch_size):
        starts = torch.tensor(initial_indices[i:i + batch_size])
        positions = starts[:, None] + offsets  # (批量大小, 时间步数) 的下标
        yield corpus[positions], corpus[positions + 1]


# 8.3 语言模型和数据集 · chapter_recurrent-neural-networks/language-models-and-dataset
def seq_data_iter_sequential(corpus, batch_size, num_steps):
    """顺序分区：相邻两个小批量中，同一行的子序列在原序列上首尾相接。"""
    offset = random.randint(0, num_steps)
    num_tokens = ((len(corpus) - offset - 1) // batch_size) * batch_size
    Xs = torch.tensor(corpus[offset:offset + num_tokens])
    Ys = torch.tensor(corpus[offset + 1:offset + 1 + num_tokens])
    Xs, Ys = Xs.reshape(batch_size, -1), Ys.reshape(batch_size, -1)
    num_batches = Xs.shape[1] // num_steps
    for i in range(0, num_steps * num_batches, num_steps):
        yield Xs[:, i:i + num_steps], Ys[:, i:i + num_steps]


# 8.3 语言模型和数据集 · chapter_recurrent-neural-networks/language-models-and-dataset
class SeqDataLoader:
    """序列数据的迭代器：每次迭代（每轮）重新随机切分一次。"""

    def __init__(self, batch_size, num_steps, use_random_iter, max_tokens):
        if use_random_iter:
            self.data_iter_fn = seq_data_iter_random
        else:
            self.data_iter_fn = seq_data_iter_sequential
        self.corpus, self.vocab = load_corpus_time_machine(max_tokens)
        self.batch_size, self.num_steps = batch_size, num_steps

    def __iter__(self):
        return self.data_iter_fn(self.corpus, self.batch_size, self.num_steps)


# 8.3 语言模型和数据集 · chapter_recurrent-neural-networks/language-models-and-dataset
def load_data_time_machine(batch_size, num_steps,
                           use_random_iter=False, max_tokens=10000):
    """返回《时间机器》前 max_tokens 个字符的小批量迭代器和词表。"""
    max_tokens = workload.quick('语料长度（字符数）', max_tokens, workload.QUICK_CORPUS)
    data_iter = SeqDataLoader(batch_size, num_steps, use_random_iter, max_tokens)
    return data_iter, data_iter.vocab


# 8.5 循环神经网络的从零开始实现 · chapter_recurrent-neural-networks/rnn-scratch
class RNNModelScratch:
    """从零开始实现的循环神经网络模型。"""

    def __init__(self, vocab_size, num_hiddens, device,
                 get_params, init_state, forward_fn):
        self.vocab_size, self.num_hiddens = vocab_size, num_hiddens
        self.params = get_params(vocab_size, num_hiddens, device)
        self.init_state, self.forward_fn = init_state, forward_fn

    def __call__(self, X, state):
        X = F.one_hot(X.T, self.vocab_size).type(torch.float32)
        return self.forward_fn(X, state, self.params)

    def begin_state(self, batch_size, device):
        return self.init_state(batch_size, self.num_hiddens, device)


# 8.5 循环神经网络的从零开始实现 · chapter_recurrent-neural-networks/rnn-scratch
def predict_ch8(prefix, num_preds, net, vocab, device):
    """在 prefix 之后续写 num_preds 个字符（每步取概率最大的字符）。"""
    state = net.begin_state(batch_size=1, device=device)
    outputs = [vocab[prefix[0]]]
    get_input = lambda: torch.tensor([outputs[-1]], device=device).reshape((1, 1))
    for y in prefix[1:]:  # 预热期：用前缀更新隐状态，不做预测
        _, state = net(get_input(), state)
        outputs.append(vocab[y])
    for _ in range(num_preds):  # 预测 num_preds 步
        y, state = net(get_input(), state)
        outputs.append(int(y.argmax(dim=1).reshape(1)))
    return ''.join([vocab.idx_to_token[i] for i in outputs])


# 8.5 循环神经网络的从零开始实现 · chapter_recurrent-neural-networks/rnn-scratch
def grad_clipping(net, theta):
    """梯度裁剪：所有参数梯度拼成的向量，其 L2 范数超过 theta 时按比例缩小到 theta。"""
    if isinstance(net, nn.Module):
        params = [p for p in net.parameters() if p.requires_grad]
    else:
        params = net.params
    norm = torch.linalg.vector_norm(torch.stack([p.grad.norm() for p in params]))
    # 按公式乘以 min(1, theta / norm)：因子留在设备上，不必为判断 norm > theta 而等待 GPU
    scale = (theta / norm).clamp(max=1)
    for param in params:
        param.grad.mul_(scale)


# 8.5 循环神经网络的从零开始实现 · chapter_recurrent-neural-networks/rnn-scratch
def train_epoch_ch8(net, train_iter, loss, updater, device, use_random_iter):
    """训练一轮（第8章），返回困惑度和每秒处理的词元数。"""
    state, timer = None, Timer()
    total_loss, num_tokens = torch.zeros((), device=device), 0  # 损失在设备上累加
    for X, Y in train_iter:
        if state is None or use_random_iter:
            # 第一个小批量，或随机采样（相邻批量不相接）时，重新初始化隐状态
            state = net.begin_state(batch_size=X.shape[0], device=device)
        else:
            # 顺序分区：沿用上一批的隐状态，但切断它与之前计算图的联系
            if isinstance(net, nn.Module) and not isinstance(state, tuple):
                state.detach_()  # nn.RNN、nn.GRU 的隐状态是一个张量
            else:
                for s in state:  # nn.LSTM 和从零实现的模型用元组
                    s.detach_()
        y = Y.T.reshape(-1)
        X, y = X.to(device), y.to(device)
        y_hat, state = net(X, state)
        l = loss(y_hat, y.long()).mean()
        if isinstance(updater, torch.optim.Optimizer):
            updater.zero_grad()
            l.backward()
            grad_clipping(net, 1)
            updater.step()
        else:
            l.backward()
            grad_clipping(net, 1)
            updater(batch_size=1)  # 损失已经取过平均
        total_loss += l.detach() * y.numel()
        num_tokens += y.numel()
    return math.exp(float(total_loss) / num_tokens), num_tokens / timer.stop()


# 8.5 循环神经网络的从零开始实现 · chapter_recurrent-neural-networks/rnn-scratch
def train_ch8(net, train_iter, vocab, lr, num_epochs, device,
              use_random_iter=False):
    """训练字符级语言模型（第8章），每 10 轮续写一次 'time traveller'。"""
    num_epochs = workload.epochs('train_ch8', num_epochs)
    loss = nn.CrossEntropyLoss()
    animator = Animator(xlabel='epoch', ylabel='perplexity',
                        legend=['train'], xlim=[10, num_epochs])
    if isinstance(net, nn.Module):
        updater = torch.optim.SGD(net.parameters(), lr)
    else:
        updater = lambda batch_size: sgd(net.params, lr, batch_size)
    predict = lambda prefix: predict_ch8(prefix, 50, net, vocab, device)
    for epoch in range(num_epochs):
        ppl, speed = train_epoch_ch8(net, train_iter, loss, updater, device, use_random_iter)
        if (epoch + 1) % 10 == 0:
            print(predict('time traveller'))
            animator.add(epoch + 1, [ppl])
    print(f'perplexity {ppl:.1f}, {speed:.1f} tokens/sec on {str(device)}')
    print(predict('time traveller'))
    print(predict('traveller'))


# 8.6 循环神经网络的简洁实现 · chapter_recurrent-neural-networks/rnn-concise
class RNNModel(nn.Module):
    """循环神经网络模型：循环层（nn.RNN/GRU/LSTM）加一个输出层。"""

    def __init__(self, rnn_layer, vocab_size, **kwargs):
        super().__init__(**kwargs)
        self.rnn = rnn_layer
        self.vocab_size = vocab_size
        self.num_hiddens = self.rnn.hidden_size
        # 双向循环网络（第9章）的输出把两个方向拼在一起，宽度翻倍
        self.num_directions = 2 if self.rnn.bidirectional else 1
        self.linear = nn.Linear(self.num_hiddens * self.num_directions, self.vocab_size)

    def forward(self, inputs, state):
        X = F.one_hot(inputs.T.long(), self.vocab_size).to(torch.float32)
        Y, state = self.rnn(X, state)
        # Y 的形状为 (时间步数, 批量大小, 隐藏单元数)；输出层先把前两维合并
        output = self.linear(Y.reshape((-1, Y.shape[-1])))
        return output, state

    def begin_state(self, device, batch_size=1):
        shape = (self.num_directions * self.rnn.num_layers, batch_size, self.num_hiddens)
        if not isinstance(self.rnn, nn.LSTM):
            return torch.zeros(shape, device=device)  # nn.RNN、nn.GRU：一个张量
        return (torch.zeros(shape, device=device),  # nn.LSTM：(隐状态, 记忆元)
                torch.zeros(shape, device=device))
