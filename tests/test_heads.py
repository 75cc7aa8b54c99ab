"""The loss head (trainers/heads.py): the labelled positions' log-probabilities, without whole logits.

Every recipe's loss goes through it, so it must give what the plain
full-logits cross-entropy gives (values and gradients), in chunks, with a
tied or untied head, with Gemma's logit soft-capping, and under LoRA.
"""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")


def _tiny_llama(tie: bool, softcap: float | None = None):
    from transformers import LlamaConfig, LlamaForCausalLM

    torch.manual_seed(0)
    cfg = LlamaConfig(vocab_size=97, hidden_size=32, intermediate_size=64, num_hidden_layers=2, num_attention_heads=4,
                      num_key_value_heads=2, max_position_embeddings=64, tie_word_embeddings=tie)
    model = LlamaForCausalLM(cfg)
    if softcap:
        model.config.final_logit_softcapping = softcap
    return model


def _batch(sparse: bool):
    g = torch.Generator().manual_seed(1)
    ids = torch.randint(0, 97, (3, 20), generator=g)
    labels = torch.randint(0, 97, (3, 20), generator=g)
    mask = torch.ones(3, 20, dtype=torch.long)
    mask[1, 15:] = 0  # a padded row
    labels[1, 15:] = -100
    if sparse:
        labels[:, :12] = -100  # the prompt: no loss
    return ids, labels, mask


def _reference(model, ids, labels, mask, softcap):
    logits = model(input_ids=ids, attention_mask=mask).logits.float()
    if softcap:
        logits = torch.tanh(logits / softcap) * softcap
    logp = -torch.nn.functional.cross_entropy(logits.transpose(1, 2), labels.clamp_min(0), reduction="none")
    return (logp * (labels != -100)).sum(-1)


@pytest.mark.parametrize("sparse,tie,softcap", [(True, False, None), (True, True, 30.0), (False, False, None),
                                                 (False, True, 30.0)])
def test_target_logprobs_and_gradients_match_full_logits(monkeypatch, sparse, tie, softcap):
    from llmctl.trainers import heads

    monkeypatch.setattr(heads, "CHUNK", 7)  # several chunks, the last one partial
    ids, labels, mask = _batch(sparse)
    ref_model, model = _tiny_llama(tie, softcap), _tiny_llama(tie, softcap)
    want = _reference(ref_model, ids, labels, mask, softcap)
    wrapped = heads.make_target_lm(model, dense=not sparse)
    got = heads.Targets(*wrapped(input_ids=ids, attention_mask=mask, labels=labels)).per_row(3)
    assert torch.allclose(got, want, atol=1e-4), (got, want)
    # Per-row weights differ (as DPO's do): the gradient of every weight must match too.
    w = torch.tensor([0.5, -2.0, 1.5])
    (want * w).sum().backward()
    (got * w).sum().backward()
    ref = dict(ref_model.named_parameters())
    for name, p in model.named_parameters():
        assert torch.allclose(p.grad, ref[name].grad, atol=1e-5, rtol=1e-4), name


def test_lora_gets_the_same_gradient_through_the_chunked_head(monkeypatch):
    from peft import LoraConfig, get_peft_model

    from llmctl.trainers import heads

    monkeypatch.setattr(heads, "CHUNK", 5)
    ids, labels, mask = _batch(sparse=True)
    models = []
    for _ in range(2):
        m = get_peft_model(_tiny_llama(tie=True), LoraConfig(r=4, lora_alpha=8, target_modules=["q_proj", "v_proj"],
                                                              init_lora_weights=False))
        torch.manual_seed(3)
        for n, p in m.named_parameters():
            if "lora_" in n:
                torch.nn.init.normal_(p, std=0.1)
        models.append(m)
    want = _reference(models[0], ids, labels, mask, None)
    got = heads.Targets(*heads.make_target_lm(models[1], dense=False)(ids, mask, labels)).per_row(3)
    assert torch.allclose(got, want, atol=1e-4)
    want.sum().backward()
    got.sum().backward()
    grads = {n: p.grad for n, p in models[0].named_parameters() if p.requires_grad}
    assert grads, "LoRA has trainable weights"
    for n, p in models[1].named_parameters():
        if p.requires_grad:
            assert torch.allclose(p.grad, grads[n], atol=1e-5, rtol=1e-4), n
