"""Tool use shown as thoughts: a reply made of thought messages from a (fake) weather tool, then the answer.

A message whose metadata has a "title" shows as a collapsible thought with its status and how long it
took; "id" and "parent_id" nest the request and response under the tool call. The chat function returns
them all as a list of `rc.ChatMessage`s, and they stay in the history like any other message.
Run it with `reactchat run examples/tool_thoughts.py` and ask about the weather in Paris.
"""

import json
import time

import reactchat as rc

WEATHER = {"new york": (20, "sunny"), "paris": (14, "cloudy"), "tokyo": (24, "raining")}


def weather_api(city: str) -> dict:
    """A stand-in for a slow HTTP API."""
    time.sleep(0.05)
    celsius, sky = WEATHER[city]
    return {"city": city.title(), "celsius": celsius, "sky": sky}


def agent(message: str, history: list[dict]):
    city = next((c for c in WEATHER if c in message.lower()), None)
    if city is None:
        return "Ask me about the weather in New York, Paris or Tokyo."
    call = f"weather-{len(history)}"  # unique per turn: thoughts nest by id across the whole history
    started = time.perf_counter()
    result = weather_api(city)
    took = round(time.perf_counter() - started, 2)
    summary = f"It is {result['celsius']} °C and {result['sky']} in {result['city']}."
    advice = " Bring an umbrella!" if result["sky"] == "raining" else ""
    return [
        rc.ChatMessage(
            content=f"The weather API says: {summary}",
            metadata={"title": "🛠️ Used tool Weather API", "id": call, "status": "done", "duration": took},
        ),
        rc.ChatMessage(
            content=f"`GET /v1/weather?city={city.replace(' ', '+')}`",
            metadata={"title": "Request", "parent_id": call, "status": "done"},
        ),
        rc.ChatMessage(
            content=f"```json\n{json.dumps(result, indent=2)}\n```",
            metadata={"title": "Response", "parent_id": call, "status": "done", "log": "200 OK"},
        ),
        rc.ChatMessage(content=summary + advice),
    ]


rc.chat_interface(agent, title="Weather agent", placeholder="What's the weather in Paris?", feedback=True)
