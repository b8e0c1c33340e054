"""第8章保存的函数与 d2l 0.17.6 的对照：同一份语料、同样的随机种子给出同样的结果。"""
import inspect
import random

import pytest
import torch
from torch import nn

import d2l_local as d2l
from d2l_local import workload

reference = pytest.importorskip('d2l.torch', reason='需要 pip install --no-deps d2l==0.17.6')

NAMES = ['read_time_machine', 'tokenize', 'count_corpus', 'load_corpus_time_machine',
         'seq_data_iter_random', 'seq_data_iter_sequential', 'load_data_time_machine',
         'predict_ch8', 'grad_clipping', 'train_epoch_ch8', 'train_ch8']


@pytest.mark.parametrize('name', NAMES)
def test_same_signature(name):
    assert inspect.signature(getattr(d2l, name)) == inspect.signature(getattr(reference, name))


@pytest.mark.parametrize('name', ['Vocab', 'SeqDataLoader', 'RNNModelScratch', 'RNNModel'])
def test_same_constructor(name):
    ours, theirs = getattr(d2l, name), getattr(reference, name)
    assert inspect.signature(ours.__init__) == inspect.signature(theirs.__init__)
    for method in ('__getitem__', 'to_tokens', 'begin_state', 'forward', '__call__'):
        if method in vars(theirs):
            assert inspect.signature(getattr(ours, method)) == inspect.signature(getattr(theirs, method))


def test_read_time_machine_and_tokenize_agree(reference_workdir):
    lines = d2l.read_time_machine()
    assert lines == reference.read_time_machine()
    assert len(lines) == 3221 and lines[0] == 'the time machine by h g wells'
    for token in ('word', 'char'):
        assert d2l.tokenize(lines, token) == reference.tokenize(lines, token)


def test_vocab_agrees(reference_workdir):
    tokens = d2l.tokenize(d2l.read_time_machine())
    for kwargs in ({}, {'min_freq': 3}, {'min_freq': 2, 'reserved_tokens': ['<pad>', '<bos>', 'the']}):
        ours, theirs = d2l.Vocab(tokens, **kwargs), reference.Vocab(tokens, **kwargs)
        assert ours.idx_to_token == theirs.idx_to_token
        assert ours.token_to_idx == theirs.token_to_idx
        assert ours.token_freqs == theirs.token_freqs
        assert len(ours) == len(theirs)
        query = ['the', 'time', 'no-such-word', 'traveller']
        assert ours[query] == theirs[query] and ours['no-such-word'] == ours.unk == 0
        assert ours.to_tokens([0, 1, 5]) == theirs.to_tokens([0, 1, 5])
        assert ours.to_tokens(3) == theirs.to_tokens(3)
    empty = d2l.Vocab()
    assert empty.idx_to_token == ['<unk>'] and empty['x'] == 0


def test_count_corpus_flat_and_nested():
    assert d2l.count_corpus(['a', 'b', 'a']) == reference.count_corpus(['a', 'b', 'a'])
    assert d2l.count_corpus([['a', 'b'], ['a']]) == reference.count_corpus([['a', 'b'], ['a']])


@pytest.mark.parametrize('max_tokens', [-1, 10000])
def test_load_corpus_time_machine_agrees(reference_workdir, max_tokens):
    corpus, vocab = d2l.load_corpus_time_machine(max_tokens)
    corpus_ref, vocab_ref = reference.load_corpus_time_machine(max_tokens)
    assert corpus == corpus_ref and vocab.idx_to_token == vocab_ref.idx_to_token
    assert len(vocab) == 28 and len(corpus) == (170580 if max_tokens < 0 else max_tokens)


def batches(module, name, corpus, batch_size, num_steps, seed):
    random.seed(seed)
    return [(X.clone(), Y.clone())
            for X, Y in getattr(module, name)(corpus, batch_size, num_steps)]


@pytest.mark.parametrize('name', ['seq_data_iter_random', 'seq_data_iter_sequential'])
@pytest.mark.parametrize('size', [(35, 2, 5), (1000, 4, 7), (10000, 32, 35)])
def test_sequence_iterators_give_the_same_batches(name, size):
    length, batch_size, num_steps = size
    corpus = list(range(length))
    for seed in (0, 1, 42):
        ours = batches(d2l, name, corpus, batch_size, num_steps, seed)
        theirs = batches(reference, name, corpus, batch_size, num_steps, seed)
        assert len(ours) == len(theirs) > 0
        for (X1, Y1), (X2, Y2) in zip(ours, theirs):
            assert X1.dtype == X2.dtype and torch.equal(X1, X2) and torch.equal(Y1, Y2)
            assert X1.shape == (batch_size, num_steps) and torch.equal(Y1, X1 + 1)


def test_sequential_batches_continue_each_other():
    random.seed(3)
    pairs = list(d2l.seq_data_iter_sequential(list(range(100)), 2, 5))
    for (X1, _), (X2, _) in zip(pairs, pairs[1:]):
        assert torch.equal(X2[:, 0], X1[:, -1] + 1)


def test_load_data_time_machine_quick_mode(reference_workdir, monkeypatch, capsys):
    monkeypatch.setenv('D2L_QUICK', '')
    data_iter, vocab = d2l.load_data_time_machine(32, 35)
    assert len(data_iter.corpus) == 10000 and len(vocab) == 28
    monkeypatch.setenv('D2L_QUICK', '1')
    data_iter, _ = d2l.load_data_time_machine(32, 35)
    assert len(data_iter.corpus) == 3000
    assert '10000 → 3000' in capsys.readouterr().out
    short, _ = d2l.load_data_time_machine(32, 35, max_tokens=500)
    assert len(short.corpus) == 500, '本来就短的语料不再缩短'


def scratch_params(vocab_size, num_hiddens, device):
    torch.manual_seed(0)
    shapes = [(vocab_size, num_hiddens), (num_hiddens, num_hiddens), (num_hiddens,),
              (num_hiddens, vocab_size), (vocab_size,)]
    return [(torch.randn(shape, device=device) * 0.1).requires_grad_() for shape in shapes]


def init_state(batch_size, num_hiddens, device):
    return (torch.zeros((batch_size, num_hiddens), device=device),)


def rnn_step(inputs, state, params):
    W_xh, W_hh, b_h, W_hq, b_q = params
    H, = state
    outputs = []
    for X in inputs:
        H = torch.tanh(X @ W_xh + H @ W_hh + b_h)
        outputs.append(H @ W_hq + b_q)
    return torch.cat(outputs, dim=0), (H,)


def test_predict_ch8_agrees_on_fixed_models(reference_workdir):
    _, vocab = d2l.load_corpus_time_machine()
    device = torch.device('cpu')
    nets = [module.RNNModelScratch(len(vocab), 16, device, scratch_params, init_state, rnn_step)
            for module in (d2l, reference)]
    for prefix in ('time traveller', 'traveller', 'the '):
        ours = d2l.predict_ch8(prefix, 20, nets[0], vocab, device)
        assert ours == reference.predict_ch8(prefix, 20, nets[1], vocab, device)
        assert ours.startswith(prefix) and len(ours) == len(prefix) + 20
    torch.manual_seed(0)
    ours = d2l.RNNModel(nn.RNN(len(vocab), 16), len(vocab))
    theirs = reference.RNNModel(nn.RNN(len(vocab), 16), len(vocab))
    theirs.load_state_dict(ours.state_dict())
    for prefix in ('time traveller', 'traveller'):
        assert (d2l.predict_ch8(prefix, 30, ours, vocab, device)
                == reference.predict_ch8(prefix, 30, theirs, vocab, device))


@pytest.mark.parametrize('layer', [nn.GRU, nn.LSTM])
def test_rnn_model_state_and_output_shapes(layer):
    torch.manual_seed(0)
    ours = d2l.RNNModel(layer(28, 8, num_layers=2, bidirectional=True), 28)
    theirs = reference.RNNModel(layer(28, 8, num_layers=2, bidirectional=True), 28)
    theirs.load_state_dict(ours.state_dict())
    X = torch.randint(0, 28, (3, 5))
    s1, s2 = ours.begin_state('cpu', 3), theirs.begin_state('cpu', 3)
    (y1, _), (y2, _) = ours(X, s1), theirs(X, s2)
    assert y1.shape == (15, 28) and torch.allclose(y1, y2)


@pytest.mark.parametrize('theta', [0.5, 100.0])
def test_grad_clipping_agrees(theta):
    grads = []
    for module in (d2l, reference):
        torch.manual_seed(0)
        net = nn.Linear(4, 3)
        net(torch.randn(5, 4)).pow(2).sum().backward()
        module.grad_clipping(net, theta)
        grads.append([p.grad.clone() for p in net.parameters()])
    for ours, theirs in zip(*grads):
        assert torch.allclose(ours, theirs, atol=1e-6)
    norm = torch.linalg.vector_norm(torch.cat([g.flatten() for g in grads[0]]))
    assert norm <= theta + 1e-5


def test_train_ch8_summary_and_quick_epochs(reference_workdir, monkeypatch, capsys):
    monkeypatch.setenv('D2L_QUICK', '1')
    random.seed(0)
    torch.manual_seed(0)
    train_iter, vocab = d2l.load_data_time_machine(8, 10, max_tokens=800)
    net = d2l.RNNModel(nn.RNN(len(vocab), 32), len(vocab))
    d2l.train_ch8(net, train_iter, vocab, 1, 500, torch.device('cpu'))
    lines = capsys.readouterr().out.splitlines()
    assert '训练轮数：500 → 20' in '\n'.join(lines)
    assert sum(line.startswith('epoch ') for line in lines) == 2
    summary = next(line for line in lines if line.startswith('perplexity '))
    assert summary.endswith('tokens/sec on cpu')
    assert 1 <= float(summary.split()[1].rstrip(',')) < 28
    assert lines[-2].startswith('time traveller') and lines[-1].startswith('traveller')
