package org.equityfhir.referral;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/** A real HTTP endpoint on loopback that records what subscribers receive, and can refuse the first N deliveries. */
final class LoopbackReceiver implements AutoCloseable {

	record Delivery(String path, String deliveryId, String body) {}

	private final HttpServer server;
	private final List<Delivery> received = new CopyOnWriteArrayList<>();
	private final AtomicInteger refuseNext = new AtomicInteger();
	private final AtomicInteger refused = new AtomicInteger();

	LoopbackReceiver() {
		try {
			server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
		} catch (IOException e) {
			throw new UncheckedIOException(e);
		}
		server.createContext("/", exchange -> {
			byte[] body = exchange.getRequestBody().readAllBytes();
			if (refuseNext.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
				refused.incrementAndGet();
				exchange.sendResponseHeaders(503, -1);
			} else {
				received.add(new Delivery(exchange.getRequestURI().getPath(), exchange.getRequestHeaders().getFirst("X-Delivery-Id"),
						new String(body, StandardCharsets.UTF_8)));
				exchange.sendResponseHeaders(200, -1);
			}
			exchange.close();
		});
		server.start();
	}

	String url(String path) {
		return "http://127.0.0.1:" + server.getAddress().getPort() + path;
	}

	void refuseNext(int deliveries) {
		refuseNext.set(deliveries);
	}

	int refused() {
		return refused.get();
	}

	List<Delivery> receivedAt(String path) {
		return received.stream().filter(d -> d.path().equals(path)).toList();
	}

	@Override
	public void close() {
		server.stop(0);
	}
}
