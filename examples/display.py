"""Display options: layout, avatars, timestamps, math, placeholder, copy buttons on code, and a theme.

Run it with `reactchat run examples/display.py`.
"""

import reactchat as rc

rc.chat(
    title="Display options",
    description="Panel layout, avatars, timestamps and LaTeX.",
    layout="panel",
    avatar_images=("🧑", "🤖"),
    show_timestamps=True,
    placeholder="Ask about **math**, e.g. *what is Euler's identity?*",
    height="70vh",
    resizable=True,
    theme={"accent": "#0d9488", "radius": 10},  # or a [theme] table in a reactchat.toml beside the script
)

if "history" not in rc.session_state:
    rc.session_state.history = []

rc.history(rc.session_state.history)

ANSWER = r"""Euler's identity is $e^{i\pi} + 1 = 0$. In display form:

$$e^{i\pi} + 1 = 0$$

Prices like $5 and $10 stay as text. And some code:

```python
import cmath
print(cmath.exp(1j * cmath.pi) + 1)
```
"""

if prompt := rc.chat_input("Ask something"):
    rc.message("user", prompt)
    rc.message("assistant", ANSWER)
    rc.session_state.history += [
        {"role": "user", "content": prompt},
        {"role": "assistant", "content": ANSWER},
    ]
