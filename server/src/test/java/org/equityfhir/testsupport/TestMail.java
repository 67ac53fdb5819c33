package org.equityfhir.testsupport;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;

/**
 * A real SMTP server (GreenMail) on a loopback port chosen once per test JVM, and the settings that point
 * every test server's notification delivery at it, with retries short enough for tests.
 */
public final class TestMail {

	private static final int PORT = freePort();
	private static GreenMail server;

	private TestMail() {}

	public static synchronized GreenMail server() {
		if (server == null) {
			server = new GreenMail(new ServerSetup(PORT, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
			server.start();
			Runtime.getRuntime().addShutdownHook(new Thread(server::stop));
		}
		return server;
	}

	static String[] serverProperties() {
		return new String[] {
			"equity.referral.smtp-host=127.0.0.1",
			"equity.referral.smtp-port=" + PORT,
			"equity.referral.poll-interval=200ms",
			"equity.referral.first-backoff=300ms",
			"equity.referral.max-backoff=1s",
		};
	}

	private static int freePort() {
		try (ServerSocket socket = new ServerSocket(0)) {
			return socket.getLocalPort();
		} catch (IOException e) {
			throw new UncheckedIOException(e);
		}
	}
}
