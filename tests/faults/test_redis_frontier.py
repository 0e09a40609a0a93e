"""The shared frontier's queue in a real Redis: clinics take turns within a depth, so a
crawl of many sites works on all of them at once instead of one after another; a dead
worker's requests go back with their own priority."""

from __future__ import annotations

import redis as redis_lib
from redisserver import RedisServer
from scrapy import Request, Spider

from crawler.frontier import HostTurnQueue, SharedFrontier


def make_queue(url: str, key: str = "needle:test:requests") -> HostTurnQueue:
    return HostTurnQueue(redis_lib.Redis.from_url(url), Spider(name="blog"), key)


def drain(queue) -> list[tuple[str, int]]:
    popped = []
    while (request := queue.pop()) is not None:
        popped.append((request.url, request.priority))
    return popped


def test_hosts_take_turns_within_a_priority_and_priority_still_rules(tmp_path):
    with RedisServer(tmp_path / "redis") as server:
        queue = make_queue(server.url)
        # queued as a crawl finds them: one clinic's whole listing, then the next's
        for host in ("a.example", "b.example", "c.example"):
            for n in range(1, 4):
                queue.push(Request(f"https://{host}/blog/post-{n}", priority=-1))
        queue.push(Request("https://c.example/", priority=0))  # shallower: first, whoever queued it
        order = drain(queue)

    assert order[0] == ("https://c.example/", 0)
    hosts = [url.split("/")[2][0] for url, _ in order[1:]]
    # every round visits each host once: no host twice before the others had a turn
    assert [sorted(hosts[i:i + 3]) for i in range(0, 9, 3)] == [["a", "b", "c"]] * 3
    # a host's own requests keep the order they were found in
    for host in "abc":
        urls = [url for url, _ in order[1:] if url.split("/")[2][0] == host]
        assert urls == [f"https://{host}.example/blog/post-{n}" for n in range(1, 4)]


def test_without_turns_a_clinic_waits_for_the_one_before_it(tmp_path):
    """The behaviour the turns replace: scrapy-redis's own queue serves equal priorities
    in the byte order of the encoded request, host after host."""
    from scrapy_redis.queue import PriorityQueue

    with RedisServer(tmp_path / "redis") as server:
        queue = PriorityQueue(redis_lib.Redis.from_url(server.url), Spider(name="blog"), "plain")
        for host in ("a.example", "b.example"):
            for n in range(1, 4):
                queue.push(Request(f"https://{host}/blog/post-{n}", priority=-1))
        hosts = [url.split("/")[2][0] for url, _ in drain(queue)]
    assert hosts == ["a", "a", "a", "b", "b", "b"]


def test_a_dead_workers_requests_return_with_their_priority_and_clear_leaves_nothing(tmp_path):
    with RedisServer(tmp_path / "redis") as server:
        queue = make_queue(server.url, "needle:abc:requests")
        frontier = SharedFrontier.__new__(SharedFrontier)
        frontier.server, frontier.queue, frontier.prefix, frontier.worker = (
            queue.server, queue, "needle:abc", "alive-worker")
        frontier.stats = type("Stats", (), {"inc_value": lambda *a, **k: None})()
        # a worker that took two requests and died (its heartbeat key is gone)
        taken = {"fp1": queue._encode_request(Request("https://a.example/", priority=0)),
                 "fp2": queue._encode_request(Request("https://b.example/blog/x", priority=-2))}
        queue.server.hset("needle:abc:inflight:dead-worker", mapping=taken)
        queue.push(Request("https://a.example/blog/y", priority=-1))
        frontier._recover()
        assert not queue.server.exists("needle:abc:inflight:dead-worker")
        order = [url for url, _ in drain(queue)]
        assert order == ["https://a.example/", "https://a.example/blog/y", "https://b.example/blog/x"]

        queue.push(Request("https://a.example/blog/z"))
        queue.clear()
        assert queue.server.keys("needle:abc:*") == []


def _frontier(server_url: str, worker: str = "this-worker") -> SharedFrontier:
    from scrapy_redis.dupefilter import RFPDupeFilter

    queue = make_queue(server_url, "needle:abc:requests")
    frontier = SharedFrontier.__new__(SharedFrontier)
    frontier.server, frontier.queue, frontier.prefix, frontier.worker = queue.server, queue, "needle:abc", worker
    frontier.df = RFPDupeFilter(queue.server, "needle:abc:dupefilter")
    frontier.spider, frontier.stats = Spider(name="blog"), None
    return frontier


class _Sent(list):
    """The commands a client sends (a script's own commands run inside Redis, unseen)."""

    def __init__(self, client):
        super().__init__()
        send = client.execute_command

        def recording(*args, **options):
            self.append(str(args[0]).split()[0].upper())
            return send(*args, **options)

        client.execute_command = recording


def test_a_url_is_marked_seen_and_queued_in_one_step_and_taken_into_the_workers_hands_in_one(tmp_path):
    """No moment at which a killed worker leaves a URL seen but not queued (its page, handled
    again after the recovery, would find the link filtered: lost), or a request off the
    queue but not yet under its name (lost with it): each is one command to Redis."""
    with RedisServer(tmp_path / "redis") as server:
        frontier = _frontier(server.url)
        redis = frontier.server
        frontier.enqueue_request(Request("https://a.example/"))  # the scripts loaded into Redis
        frontier.done(frontier.next_request())
        sent = _Sent(redis)
        assert frontier.enqueue_request(Request("https://a.example/blog/x", priority=-1))
        assert not frontier.enqueue_request(Request("https://a.example/blog/x", priority=-1))  # seen
        assert frontier.enqueue_request(Request("https://a.example/blog/x", dont_filter=True))
        assert sent == ["EVALSHA"] * 3
        assert redis.scard("needle:abc:dupefilter") == 2 and redis.zcard("needle:abc:requests") == 2

        del sent[:]
        taken = frontier.next_request()
        assert sent == ["EVALSHA"]
        inflight = redis.hgetall("needle:abc:inflight:this-worker")
        assert list(inflight) == [taken.meta["needle_frontier_fp"].encode()]
        assert redis.zcard("needle:abc:requests") == 1
        frontier.done(taken)
        assert redis.hgetall("needle:abc:inflight:this-worker") == {}


def test_a_redirect_of_a_request_in_hand_hands_it_on(tmp_path):
    """The redirect (or retry) a worker queues for a request it took replaces it among the
    worker's requests in flight; a worker dying afterwards gives back only the successor."""
    with RedisServer(tmp_path / "redis") as server:
        frontier = _frontier(server.url)
        frontier.enqueue_request(Request("https://a.example/old-address"))
        taken = frontier.next_request()
        successor = taken.replace(url="https://a.example/new-address")  # what RedirectMiddleware builds
        assert frontier.enqueue_request(successor)
        assert frontier.server.hgetall("needle:abc:inflight:this-worker") == {}
        again = frontier.next_request()
        assert again.url == "https://a.example/new-address"
        assert again.meta["needle_frontier_fp"] != taken.meta["needle_frontier_fp"]
        # the worker dies with it: another gives it back, and only it
        survivor = _frontier(server.url, "survivor")
        survivor._recover()
        assert [url for url, _ in drain(survivor.queue)] == ["https://a.example/new-address"]
