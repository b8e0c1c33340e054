"""束搜索（beam_search_seq2seq）在手工构造的小模型上的检查。"""
import itertools
import math

import pytest
import torch
from torch.nn import functional as F

import d2l_local as d2l

NUM_STEPS = 4


class NullEncoder(d2l.Encoder):
    def forward(self, X, *args):
        return X


class TableDecoder(d2l.Decoder):
    """下一个词元的分布只取决于上一个词元：logits[上一个词元] 就是这一步的输出。"""

    def __init__(self, logits):
        super().__init__()
        self.logits = logits

    def init_state(self, enc_outputs, *args):
        return None

    def forward(self, X, state):
        return self.logits[X], state


def vocab():
    return d2l.Vocab([['a', 'b', 'c']], reserved_tokens=['<pad>', '<bos>', '<eos>'])


def table_model(logits):
    return d2l.EncoderDecoder(NullEncoder(), TableDecoder(logits))


def sequence_score(logits, tokens, vocab, alpha):
    """teacher forcing 逐步累加对数概率，再按长度规范化。"""
    log_prob, last = 0.0, vocab['<bos>']
    for token in tokens:
        log_prob += F.log_softmax(logits[last], dim=-1)[token].item()
        last = token
    return log_prob / len(tokens) ** alpha


def candidates(num_tokens, eos):
    """所有可能的输出：以 '<eos>' 结束且不超过 NUM_STEPS 个词元，或恰好 NUM_STEPS 个都没有结束。"""
    others = [t for t in range(num_tokens) if t != eos]
    for length in range(NUM_STEPS):
        for prefix in itertools.product(others, repeat=length):
            yield list(prefix) + [eos]
    yield from (list(p) for p in itertools.product(others, repeat=NUM_STEPS))


def decode(net, vocab, beam_size, alpha=0.75):
    return d2l.beam_search_seq2seq(net, 'a', vocab, vocab, NUM_STEPS, 'cpu', beam_size, alpha)


def tokens_of(translation, vocab):
    tokens = vocab[translation.split(' ')] if translation else []
    # 少于 NUM_STEPS 个词元的输出一定是遇到 '<eos>' 结束的
    return tokens + [vocab['<eos>']] if len(tokens) < NUM_STEPS else tokens


@pytest.mark.parametrize('seed', range(20))
def test_beam_size_one_equals_greedy_on_random_tables(seed):
    v = vocab()
    torch.manual_seed(seed)
    net = table_model(torch.randn(len(v), len(v)) * 2)
    greedy, _ = d2l.predict_seq2seq(net, 'a', v, v, NUM_STEPS, 'cpu')
    assert decode(net, v, 1)[0] == greedy


@pytest.mark.parametrize('alpha', [0.0, 0.75, 1.0])
@pytest.mark.parametrize('seed', range(20))
def test_exhaustive_search_is_at_least_as_good_and_scores_are_exact(seed, alpha):
    v = vocab()
    torch.manual_seed(seed)
    logits = torch.randn(len(v), len(v)) * 2
    net = table_model(logits)
    best = max(sequence_score(logits, c, v, alpha) for c in candidates(len(v), v['<eos>']))
    for beam_size in (1, 2, 3):
        translation, score = decode(net, v, beam_size, alpha)
        assert score == pytest.approx(sequence_score(logits, tokens_of(translation, v), v, alpha))
        assert best >= score - 1e-9


def test_beam_search_finds_what_greedy_misses():
    """贪心先选概率最大的 a，之后每一步都不确定；束搜索保留 b，而 b 后面几乎一定是 '<eos>'。"""
    v = vocab()
    probs = torch.full((len(v), len(v)), 1e-6)
    bos, eos, a, b = v['<bos>'], v['<eos>'], v['a'], v['b']
    probs[bos, a], probs[bos, b] = 0.55, 0.45
    probs[a, [a, b, v['c'], eos]] = 0.25
    probs[b, eos] = 0.99
    probs /= probs.sum(dim=1, keepdim=True)
    logits = probs.log()
    net = table_model(logits)
    greedy, greedy_score = decode(net, v, 1)
    beam, beam_score = decode(net, v, 2)
    assert greedy.startswith('a') and beam == 'b'
    assert beam_score > greedy_score
    assert beam_score == pytest.approx(math.log(probs[bos, b] * probs[b, eos]) / 2 ** 0.75)


def test_beam_size_one_equals_greedy_on_a_seq2seq_model():
    torch.manual_seed(0)
    src = d2l.Vocab([['go', '.', 'i', 'lost', 'home']], reserved_tokens=['<pad>', '<bos>', '<eos>'])
    tgt = d2l.Vocab([['va', '!', "j'ai", 'perdu', '.', 'maison']],
                    reserved_tokens=['<pad>', '<bos>', '<eos>'])
    encoder = d2l.Seq2SeqEncoder(len(src), 8, 16, 2)
    decoder = d2l.Seq2SeqDecoder(len(tgt), 8, 16, 2)
    net = d2l.EncoderDecoder(encoder, decoder)
    for sentence in ['go .', 'i lost .', 'i go home .', 'lost']:
        greedy, _ = d2l.predict_seq2seq(net, sentence, src, tgt, 6, 'cpu')
        translation, score = d2l.beam_search_seq2seq(net, sentence, src, tgt, 6, 'cpu', 1)
        assert translation == greedy and score <= 0
