"""Like / dislike: thumbs under every answer, recorded by a callback, with a running tally.

`rc.chat(feedback=True, on_feedback=...)` shows the thumbs; the callback gets a `ChatEvent` (which message,
the choice, `liked`, the message's text) before the script reruns. Votes are kept per message, so changing
or clearing a vote updates the tally. Run it with `reactchat run examples/voting.py`.
"""

import reactchat as rc

if "history" not in rc.session_state:
    rc.session_state.history = []
    rc.session_state.votes = {}  # message index -> "Like" / "Dislike"
history = rc.session_state.history
votes = rc.session_state.votes


def vote(event: rc.ChatEvent) -> None:
    if event.value is None:
        votes.pop(event.index, None)
        rc.session_state.last_vote = f"You took back your vote on: {event.text}"
        return
    votes[event.index] = event.value
    verb = "upvoted" if event.liked else "downvoted"
    rc.session_state.last_vote = f"You {verb} this response: {event.text}"


rc.chat(title="Voting", placeholder="Say your name, then rate the answer.", feedback=True, on_feedback=vote)

for msg in history:
    rc.message(msg)

if prompt := rc.chat_input("Your name"):
    history += [{"role": "user", "content": prompt}, {"role": "assistant", "content": f"Hello, {prompt}!"}]
    rc.message(history[-2])
    rc.message(history[-1])

likes = sum(1 for v in votes.values() if v == "Like")
with rc.sidebar:
    rc.markdown(f"**Tally:** 👍 {likes} · 👎 {len(votes) - likes}")
    if "last_vote" in rc.session_state:
        rc.markdown(rc.session_state.last_vote)
