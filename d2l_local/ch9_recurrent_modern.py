"""第 9 章 现代循环神经网络：书中保存的定义，按讲授的顺序。

本文件由 tools/build_lib.py 从书中的 #@save 单元生成，请勿手工修改：修改书中的单元后运行 `make lib`。
"""
import collections
import math
import os
import re
import torch
from matplotlib import pyplot as plt
from torch import nn
from torch.nn import functional as F
from d2l_local import workload
from d2l_local.ch2_preliminaries import set_figsize
from d2l_local.ch3_linear_networks import Animator, Timer, load_array
from d2l_local.ch4_multilayer_perceptrons import download_extract
from d2l_local.ch8_recurrent_neural_networks import Vocab, grad_clipping

__all__ = [
    'read_data_nmt', 'preprocess_nmt', 'tokenize_nmt', 'show_list_len_pair_hist',
    'truncate_pad', 'build_array_nmt', 'load_data_nmt', 'Encoder', 'Decoder', 'EncoderDecoder',
    'Seq2SeqEncoder', 'Seq2SeqDecoder', 'sequence_mask', 'MaskedSoftmaxCELoss', 'train_seq2seq',
    'predict_seq2seq', 'bleu', 'beam_search_seq2seq',
]


# 9.5 机器翻译与数据集 · chapter_recurrent-modern/machine-translation-and-dataset
def read_data_nmt():
    """读取“英语-法语”数据集：每行一个句对，英语和法语之间用制表符分隔。"""
    # 压缩包解压出的文件夹里只有一个 fra.txt，整个读成一个字符串
    path = os.path.join(download_extract('fra-eng'), 'fra.txt')
    with open(path, 'r', encoding='utf-8') as f:
        return f.read()


# 9.5 机器翻译与数据集 · chapter_recurrent-modern/machine-translation-and-dataset
def preprocess_nmt(text):
    """预处理：不间断空格换成普通空格，大写转小写，单词和紧跟的标点 , . ! ? 之间插入空格。"""
    # U+202F（窄不换行空格）和 U+00A0（不换行空格）都换成普通空格
    text = text.translate({0x202f: ' ', 0xa0: ' '}).lower()
    # (?<=[^ ]) 表示标点前面有一个字符且不是空格
    return re.sub(r'(?<=[^ ])([,.!?])', r' \1', text)


# 9.5 机器翻译与数据集 · chapter_recurrent-modern/machine-translation-and-dataset
def tokenize_nmt(text, num_examples=None):
    """按空格把每个句对切成词元，返回源语言（英语）和目标语言（法语）的词元列表。"""
    lines = text.split('\n')
    if num_examples:
        # 读入行号不超过 num_examples 的行，即第 0 到第 num_examples 行（与经典 d2l 一致）
        lines = [line for i, line in enumerate(lines) if i <= num_examples]
    source, target = [], []
    for line in lines:
        parts = line.split('\t')
        if len(parts) != 2:
            continue  # 不恰好是两部分的行（例如文件末尾的空行）跳过
        english, french = parts
        source.append(english.split(' '))
        target.append(french.split(' '))
    return source, target


# 9.5 机器翻译与数据集 · chapter_recurrent-modern/machine-translation-and-dataset
def show_list_len_pair_hist(legend, xlabel, ylabel, xlist, ylist):
    """并排画出两组序列长度的直方图（第二组加斜线阴影）。"""
    set_figsize()
    lengths = [[len(seq) for seq in xlist], [len(seq) for seq in ylist]]
    _, _, containers = plt.hist(lengths)
    plt.xlabel(xlabel)
    plt.ylabel(ylabel)
    for bar in containers[1]:  # 第二组的每根柱子
        bar.set_hatch('/')
    plt.legend(legend)


# 9.5 机器翻译与数据集 · chapter_recurrent-modern/machine-translation-and-dataset
def truncate_pad(line, num_steps, padding_token):
    """把词元索引序列截断或用 padding_token 填充到正好 num_steps 个。"""
    num_missing = num_steps - len(line)
    if num_missing < 0:
        return line[:num_steps]  # 太长：只保留前 num_steps 个
    return line + [padding_token] * num_missing  # 不够长：在末尾补齐


# 9.5 机器翻译与数据集 · chapter_recurrent-modern/machine-translation-and-dataset
def build_array_nmt(lines, vocab, num_steps):
    """把词元序列转成 (序列数, num_steps) 的索引张量，并给出每个序列的有效长度。

    每个序列末尾先加 '<eos>'，再截断或填充；有效长度是不算 '<pad>' 的词元数。
    """
    eos, pad = vocab['<eos>'], vocab['<pad>']
    rows = [truncate_pad(vocab[tokens] + [eos], num_steps, pad) for tokens in lines]
    array = torch.tensor(rows)
    valid_len = (array != pad).sum(dim=1)  # 每行非填充位置的个数（int64）
    return array, valid_len


# 9.5 机器翻译与数据集 · chapter_recurrent-modern/machine-translation-and-dataset
def load_data_nmt(batch_size, num_steps, num_examples=600):
    """返回翻译数据集的迭代器和源、目标两个词表。

    每个批量是 (X, X_valid_len, Y, Y_valid_len)：X、Y 的形状为 (批量大小, num_steps)。
    """
    source, target = tokenize_nmt(preprocess_nmt(read_data_nmt()), num_examples)
    # 两种语言各建一个词表：出现不到 2 次的词元算作 '<unk>'，另外预留三个特殊词元
    specials = ['<pad>', '<bos>', '<eos>']
    src_vocab = Vocab(source, min_freq=2, reserved_tokens=specials)
    tgt_vocab = Vocab(target, min_freq=2, reserved_tokens=specials)
    # 依次是 X、X 的有效长度、Y、Y 的有效长度
    tensors = (*build_array_nmt(source, src_vocab, num_steps),
               *build_array_nmt(target, tgt_vocab, num_steps))
    return load_array(tensors, batch_size), src_vocab, tgt_vocab


# 9.6 编码器-解码器架构 · chapter_recurrent-modern/encoder-decoder
class Encoder(nn.Module):
    """编码器的基类：把输入序列变成某种表示（子类实现 forward）。"""
    def __init__(self, **kwargs):
        super().__init__(**kwargs)

    def forward(self, X, *args):
        """X 是一个小批量的源序列；*args 是额外的信息，例如有效长度。"""
        raise NotImplementedError


# 9.6 编码器-解码器架构 · chapter_recurrent-modern/encoder-decoder
class Decoder(nn.Module):
    """解码器的基类：init_state 把编码器的输出变成解码器的初始状态，forward 逐步生成输出。"""
    def __init__(self, **kwargs):
        super().__init__(**kwargs)

    def init_state(self, enc_outputs, *args):
        """由编码器的输出（以及有效长度等额外信息）得到解码器的初始状态。"""
        raise NotImplementedError

    def forward(self, X, state):
        """处理输入 X（一个或多个时间步），返回 (输出, 更新后的状态)。"""
        raise NotImplementedError


# 9.6 编码器-解码器架构 · chapter_recurrent-modern/encoder-decoder
class EncoderDecoder(nn.Module):
    """编码器-解码器架构：编码器的输出经 init_state 成为解码器的初始状态。"""
    def __init__(self, encoder, decoder, **kwargs):
        super().__init__(**kwargs)
        self.encoder = encoder
        self.decoder = decoder

    def forward(self, enc_X, dec_X, *args):
        # 额外参数 *args（例如有效长度）既交给编码器，也交给 init_state
        state = self.decoder.init_state(self.encoder(enc_X, *args), *args)
        # 返回解码器的 (输出, 最终状态)
        return self.decoder(dec_X, state)


# 9.7 序列到序列学习（seq2seq） · chapter_recurrent-modern/seq2seq
class Seq2SeqEncoder(Encoder):
    """序列到序列学习的循环神经网络编码器：嵌入层加多层 GRU。"""
    def __init__(self, vocab_size, embed_size, num_hiddens, num_layers,
                 dropout=0, **kwargs):
        super().__init__(**kwargs)
        # 嵌入层：索引为 i 的词元取嵌入矩阵的第 i 行
        self.embedding = nn.Embedding(num_embeddings=vocab_size, embedding_dim=embed_size)
        self.rnn = nn.GRU(embed_size, num_hiddens, num_layers, dropout=dropout)

    def forward(self, X, *args):
        # (批量大小, 时间步数) 的索引嵌入成 (批量大小, 时间步数, embed_size)，
        # 再交换前两维：循环层要求时间步在第一维
        embedded = self.embedding(X).permute(1, 0, 2)
        # 不给初始隐状态，GRU 从全零开始。返回 (output, state)：
        # output: (时间步数, 批量大小, num_hiddens)，最后一层在每个时间步的隐状态；
        # state: (num_layers, 批量大小, num_hiddens)，每一层在最后时间步的隐状态
        return self.rnn(embedded)


# 9.7 序列到序列学习（seq2seq） · chapter_recurrent-modern/seq2seq
class Seq2SeqDecoder(Decoder):
    """序列到序列学习的循环神经网络解码器。

    状态是 (隐状态, 上下文变量)：上下文变量是编码器最后一层在最后时间步的隐状态，
    解码的每一步都把它和当前输入的嵌入拼在一起送进 GRU。
    """
    def __init__(self, vocab_size, embed_size, num_hiddens, num_layers,
                 dropout=0, **kwargs):
        super().__init__(**kwargs)
        self.embedding = nn.Embedding(num_embeddings=vocab_size, embedding_dim=embed_size)
        # 每一步的输入是词元嵌入与上下文变量的拼接
        self.rnn = nn.GRU(input_size=embed_size + num_hiddens, hidden_size=num_hiddens,
                          num_layers=num_layers, dropout=dropout)
        self.dense = nn.Linear(in_features=num_hiddens, out_features=vocab_size)

    def init_state(self, enc_outputs, *args):
        enc_state = enc_outputs[1]
        # GRU 的初始隐状态是编码器各层的最终隐状态；上下文变量取其最后一层，此后不再改变
        return enc_state, enc_state[-1]

    def forward(self, X, state):
        hidden, context = state
        # X: (批量大小, 时间步数) → 嵌入并交换前两维 → (时间步数, 批量大小, embed_size)
        embedded = self.embedding(X).permute(1, 0, 2)
        # 同一个上下文变量复制到每个时间步：(时间步数, 批量大小, num_hiddens)
        context_per_step = context.repeat(embedded.shape[0], 1, 1)
        output, hidden = self.rnn(torch.cat((embedded, context_per_step), 2), hidden)
        # 输出层给出词表上的得分，再转回 (批量大小, 时间步数, vocab_size)；上下文变量原样带上
        return self.dense(output).permute(1, 0, 2), (hidden, context)


# 9.7 序列到序列学习（seq2seq） · chapter_recurrent-modern/seq2seq
def sequence_mask(X, valid_len, value=0):
    """把 X 每行中有效长度之后的元素（原地）换成 value，并返回 X。"""
    mask = torch.arange(X.size(1), device=X.device)[None, :] < valid_len[:, None]
    # X 多于两维时（例如 (批量大小, 时间步数, 特征数)），掩码沿后面的维度广播
    mask = mask.reshape(mask.shape + (1,) * (X.dim() - 2))
    return X.masked_fill_(~mask, value)


# 9.7 序列到序列学习（seq2seq） · chapter_recurrent-modern/seq2seq
class MaskedSoftmaxCELoss(nn.CrossEntropyLoss):
    """遮蔽填充词元的 softmax 交叉熵损失，返回每个序列的平均损失。

    pred: (批量大小, 时间步数, 词表大小)；label: (批量大小, 时间步数)；valid_len: (批量大小,)
    """
    def forward(self, pred, label, valid_len):
        # 权重：有效位置为 1，填充位置为 0
        weights = sequence_mask(torch.ones_like(label), valid_len)
        self.reduction = 'none'  # 先保留每个位置各自的损失
        # 把前两维合并：每个时间步都是一个普通的分类样本
        per_token = super().forward(pred.reshape(-1, pred.shape[-1]), label.reshape(-1))
        per_token = per_token.reshape(label.shape)
        # 填充位置清零后沿时间步取平均（除以 num_steps，而不是有效长度）
        return (per_token * weights).mean(dim=1)


# 9.7 序列到序列学习（seq2seq） · chapter_recurrent-modern/seq2seq
def train_seq2seq(net, data_iter, lr, num_epochs, tgt_vocab, device):
    """训练序列到序列模型：Adam 优化，遮蔽的交叉熵损失，强制教学（teacher forcing）。"""
    # 全连接层和 GRU 的权重用 Xavier 均匀分布初始化
    for module in net.modules():
        if type(module) == nn.Linear:
            nn.init.xavier_uniform_(module.weight)
        elif type(module) == nn.GRU:
            for name, param in module.named_parameters():
                if 'weight' in name:
                    nn.init.xavier_uniform_(param)
    num_epochs = workload.epochs('train_seq2seq', num_epochs)
    net.to(device)
    optimizer = torch.optim.Adam(net.parameters(), lr=lr, foreach=True)
    loss = MaskedSoftmaxCELoss()
    net.train()
    animator = Animator(xlabel='epoch', ylabel='loss', xlim=[10, num_epochs])
    bos = tgt_vocab['<bos>']
    for epoch in range(1, num_epochs + 1):
        timer = Timer()
        sums = torch.zeros(2, device=device)  # 损失总和、词元数：在设备上累加
        for batch in data_iter:
            source, source_len, target, target_len = (t.to(device) for t in batch)
            # 强制教学：解码器的输入是 '<bos>' 加上去掉最后一个词元的目标序列
            dec_input = torch.cat([torch.full_like(target[:, :1], bos), target[:, :-1]], dim=1)
            output, _ = net(source, dec_input, source_len)
            l = loss(output, target, target_len)
            optimizer.zero_grad()
            l.sum().backward()  # 各序列的损失之和作为标量求梯度
            grad_clipping(net, 1)
            optimizer.step()
            with torch.no_grad():
                sums[0] += l.sum()
                sums[1] += target_len.sum()
        if epoch % 10 == 0:
            animator.add(epoch, ((sums[0] / sums[1]).item(),))
    loss_per_token, num_tokens = (sums[0] / sums[1]).item(), sums[1].item()
    print(f'loss {loss_per_token:.3f}, {num_tokens / timer.stop():.1f} '
          f'tokens/sec on {device}')


# 9.7 序列到序列学习（seq2seq） · chapter_recurrent-modern/seq2seq
def predict_seq2seq(net, src_sentence, src_vocab, tgt_vocab,
                    num_steps, device, save_attention_weights=False):
    """贪心解码：每一步取概率最大的词元，直到 '<eos>' 或 num_steps 步。

    返回 (译文, 各步的注意力权重)；注意力权重要到注意力机制一章才用到。
    """
    net.eval()  # 预测时关闭 dropout
    # 源句子：转小写、按空格切分、末尾加 '<eos>'；有效长度按截断填充之前的词元数计
    src_ids = src_vocab[src_sentence.lower().split(' ')] + [src_vocab['<eos>']]
    src_len = torch.tensor([len(src_ids)], device=device)
    src_ids = truncate_pad(src_ids, num_steps, src_vocab['<pad>'])
    enc_X = torch.tensor([src_ids], dtype=torch.long, device=device)  # 批量维：(1, num_steps)
    eos = tgt_vocab['<eos>']
    output_ids, attention_weights = [], []
    with torch.no_grad():
        state = net.decoder.init_state(net.encoder(enc_X, src_len), src_len)
        dec_X = torch.tensor([[tgt_vocab['<bos>']]], dtype=torch.long, device=device)
        for _ in range(num_steps):
            Y, state = net.decoder(dec_X, state)
            # 得分最大的词元既是这一步的输出，也是下一步的输入
            dec_X = Y.argmax(dim=2)
            token = int(dec_X.item())
            if save_attention_weights:
                attention_weights.append(net.decoder.attention_weights)
            if token == eos:
                break
            output_ids.append(token)
    return ' '.join(tgt_vocab.to_tokens(output_ids)), attention_weights


# 9.7 序列到序列学习（seq2seq） · chapter_recurrent-modern/seq2seq
def bleu(pred_seq, label_seq, k):
    """BLEU：1 到 k 元语法的精确率按权重 1/2^n 连乘，再乘上过短惩罚。"""
    pred, label = pred_seq.split(' '), label_seq.split(' ')

    def ngrams(tokens, n):
        return [' '.join(tokens[i:i + n]) for i in range(len(tokens) - n + 1)]

    # 过短惩罚：预测比标签短时小于 1
    score = math.exp(min(0, 1 - len(label) / len(pred)))
    for n in range(1, k + 1):
        pred_ngrams = ngrams(pred, n)
        if not pred_ngrams:  # 预测太短，没有 n 元语法：精确率为 0（经典实现在这里除以零）
            return 0.0
        # 标签里每个 n 元语法的出现次数；预测中的 n 元语法每匹配一次就用掉一次
        unused = collections.Counter(ngrams(label, n))
        num_matches = 0
        for gram in pred_ngrams:
            if unused[gram] > 0:
                unused[gram] -= 1
                num_matches += 1
        score *= math.pow(num_matches / len(pred_ngrams), math.pow(0.5, n))
    return score


# 9.8 束搜索 · chapter_recurrent-modern/beam-search
def beam_search_seq2seq(net, src_sentence, src_vocab, tgt_vocab, num_steps,
                        device, beam_size, alpha=0.75):
    """束搜索解码：返回 (译文, 得分)。

    每一步把每个候选序列延长一个词元，在所有延长结果中按累计对数概率保留
    beam_size 个；以 '<eos>' 结尾的序列不再延长，进入完成列表。最后在完成的序列
    （和到达 num_steps 步仍未结束的序列）中选得分 log P / L**alpha 最高的一个，
    L 是生成的词元数（含 '<eos>'）。beam_size=1 就是贪心解码。
    """
    net.eval()
    # 源句子的处理和编码与 predict_seq2seq 相同
    src_ids = src_vocab[src_sentence.lower().split(' ')] + [src_vocab['<eos>']]
    src_len = torch.tensor([len(src_ids)], device=device)
    src_ids = truncate_pad(src_ids, num_steps, src_vocab['<pad>'])
    enc_X = torch.tensor([src_ids], dtype=torch.long, device=device)
    eos = tgt_vocab['<eos>']
    with torch.no_grad():
        state = net.decoder.init_state(net.encoder(enc_X, src_len), src_len)
        # 每个候选：(已生成的词元, 累计对数概率, 解码器状态)
        beams = [([], 0.0, state)]
        finished = []
        for _ in range(num_steps):
            candidates = []
            for tokens, log_prob, state in beams:
                last = tokens[-1] if tokens else tgt_vocab['<bos>']
                Y, new_state = net.decoder(
                    torch.tensor([[last]], dtype=torch.long, device=device), state)
                log_probs = F.log_softmax(Y[0, -1], dim=-1)
                # 每个候选只需看它自己最好的 beam_size 个延长
                top = log_probs.topk(beam_size)
                for lp, token in zip(top.values.tolist(), top.indices.tolist()):
                    candidates.append((tokens + [token], log_prob + lp, new_state))
            candidates.sort(key=lambda c: c[1], reverse=True)
            beams = []
            for candidate in candidates[:beam_size]:
                (finished if candidate[0][-1] == eos else beams).append(candidate)
            if not beams:
                break
        finished.extend(beams)  # 到达 num_steps 仍未结束的候选也参与比较

    def score(candidate):
        return candidate[1] / len(candidate[0]) ** alpha

    tokens, _, _ = best = max(finished, key=score)
    if tokens[-1] == eos:
        tokens = tokens[:-1]
    return ' '.join(tgt_vocab.to_tokens(tokens)), score(best)
