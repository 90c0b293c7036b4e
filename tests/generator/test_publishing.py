"""Publishing events: every event saved, essential ones always sent, sub-steps coalesced."""

from __future__ import annotations

import pytest

from generator.engine.events import Event, EventType
from generator.publishing import ThrottledChannel
from generator.services import GenerationEventSink, generation_start
from tests.generator.helpers import reload, wait_for


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def event(seq: int, type: EventType = EventType.PHASE_PROGRESS, phase: str = "database") -> Event:
    return Event(seq=seq, type=type, phase=phase, message=f"event {seq}", progress=seq, data={})


def payload(seq: int, type: EventType = EventType.PHASE_PROGRESS) -> dict:
    return {"type": str(type), "seq": seq}


def sent_seqs(channel_sends) -> list[int]:
    return [e["seq"] for _, e in channel_sends]


def test_sub_steps_are_coalesced_and_essential_events_never_dropped(channel_sends):
    clock = FakeClock()
    channel = ThrottledChannel(7, interval=0.05, clock=clock)

    channel.publish(payload(1, EventType.PHASE_START))
    channel.publish(payload(2))  # too soon after 1: held
    channel.publish(payload(3))  # replaces 2
    channel.publish(payload(4, EventType.PHASE_COMPLETE))  # flushes 3 first, then itself
    clock.now += 0.06
    channel.publish(payload(5))  # the window has passed: sent at once
    channel.publish(payload(6, EventType.FILE))  # held
    channel.close()  # the run ended: the held one goes out

    assert sent_seqs(channel_sends) == [1, 3, 4, 5, 6]
    assert {gid for gid, _ in channel_sends} == {7}


def test_a_held_sub_step_is_sent_by_the_timer(channel_sends):
    channel = ThrottledChannel(7, interval=0.05)
    channel.publish(payload(1))
    channel.publish(payload(2))

    wait_for(lambda: len(channel_sends) == 2, timeout=2)

    assert sent_seqs(channel_sends) == [1, 2]


@pytest.mark.django_db
def test_the_sink_saves_every_event_and_sends_every_essential_one(project, owner, channel_sends):
    generation = generation_start(project=project, user=owner)
    sink = GenerationEventSink(generation.pk)
    stream = [
        event(1, EventType.PHASE_START),
        *(event(seq, EventType.FILE) for seq in range(2, 40)),
        event(40, EventType.PHASE_COMPLETE),
        event(41, EventType.COMPLETE, phase="complete"),
    ]

    for item in stream:
        sink.emit(item)
    sink.close()

    saved = list(generation.events.values_list("seq", "type"))
    assert saved == [(e.seq, str(e.type)) for e in stream]
    sent = sent_seqs(channel_sends)
    assert {1, 40, 41} <= set(sent)
    assert sent == sorted(sent)
    assert len(sent) < len(stream)  # the burst of files was coalesced on the channel
    assert reload(generation).last_event_seq == 41
    assert generation.progress == 41
    assert generation.current_phase == "complete"


@pytest.mark.django_db
def test_the_sink_holds_back_the_result_for_the_run_to_store(project, owner, channel_sends):
    generation = generation_start(project=project, user=owner)
    sink = GenerationEventSink(generation.pk)
    result = event(1, EventType.RESULT, phase="complete")

    sink.emit(result)

    assert sink.result_event == result
    assert not generation.events.exists()
    assert channel_sends == []
