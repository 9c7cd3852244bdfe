"""Trains a tiny linear model y = w*x + b with plain gradient descent and writes its weights and
metrics as outputs. Pure Python, so it runs on any Plasma node; seeded, so it is reproducible."""
import json
import os
import random

random.seed(int(os.environ.get("SEED", "42")))
epochs = int(os.environ.get("EPOCHS", "200"))
data = [(x, 3.0 * x + 0.5 + random.gauss(0, 0.1)) for x in (random.uniform(-1, 1) for _ in range(256))]

w, b, lr = 0.0, 0.0, 0.1
losses = []
for epoch in range(epochs):
    grad_w = grad_b = loss = 0.0
    for x, y in data:
        err = w * x + b - y
        loss += err * err / len(data)
        grad_w += 2 * err * x / len(data)
        grad_b += 2 * err / len(data)
    w, b = w - lr * grad_w, b - lr * grad_b
    losses.append(loss)
    if epoch % 50 == 0:
        print(f"epoch {epoch:4d}  loss {loss:.5f}", flush=True)

os.makedirs("out", exist_ok=True)
with open("out/weights.json", "w") as f:
    json.dump({"w": round(w, 6), "b": round(b, 6)}, f)
with open("out/metrics.json", "w") as f:
    json.dump({"epochs": epochs, "first_loss": round(losses[0], 6), "final_loss": round(losses[-1], 6)}, f)
print(f"done: w={w:.4f} b={b:.4f} final loss {losses[-1]:.5f}")
