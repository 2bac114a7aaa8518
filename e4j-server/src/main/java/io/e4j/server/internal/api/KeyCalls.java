package io.e4j.server.internal.api;

import io.e4j.api.v1.GetC2PublicKeyRequest;
import io.e4j.api.v1.GetC2PublicKeyResponse;
import io.e4j.api.v1.ListDevicesResponse;
import io.e4j.api.v1.ListPublicKeysRequest;
import io.e4j.api.v1.NewC2KeyRequest;
import io.e4j.api.v1.NewC2KeyResponse;
import io.e4j.api.v1.ProtectMessageRequest;
import io.e4j.api.v1.ProtectMessageResponse;
import io.e4j.api.v1.RemovePublicKeyRequest;
import io.e4j.api.v1.RemovePublicKeyResponse;
import io.e4j.api.v1.ResetPublicKeysRequest;
import io.e4j.api.v1.ResetPublicKeysResponse;
import io.e4j.api.v1.SendPublicKeyRequest;
import io.e4j.api.v1.SendPublicKeyResponse;
import io.e4j.api.v1.UnprotectMessageRequest;
import io.e4j.api.v1.UnprotectMessageResponse;
import io.e4j.server.UnprotectedMessage;
import io.e4j.server.internal.operations.CallerService;

/**
 * The API's calls about public keys, C2's key and messages: requests to calls of {@link
 * CallerService}, results to responses.
 */
final class KeyCalls {
  private KeyCalls() {}

  static SendPublicKeyResponse sendPublicKey(CallerService ops, SendPublicKeyRequest request) {
    ops.sendPublicKey(
        Protos.argumentDevice(ops, "SendPublicKey", request.getSubject()),
        Protos.argumentDevice(ops, "SendPublicKey", request.getHolder()));
    return SendPublicKeyResponse.getDefaultInstance();
  }

  static RemovePublicKeyResponse removePublicKey(
      CallerService ops, RemovePublicKeyRequest request) {
    ops.removePublicKey(
        Protos.argumentDevice(ops, "RemovePublicKey", request.getSubject()),
        Protos.argumentDevice(ops, "RemovePublicKey", request.getHolder()));
    return RemovePublicKeyResponse.getDefaultInstance();
  }

  static ResetPublicKeysResponse resetPublicKeys(
      CallerService ops, ResetPublicKeysRequest request) {
    ops.resetPublicKeys(Protos.argumentDevice(ops, "ResetPublicKeys", request.getHolder()));
    return ResetPublicKeysResponse.getDefaultInstance();
  }

  static ListDevicesResponse listPublicKeys(CallerService ops, ListPublicKeysRequest request) {
    return Protos.devices(
        ops.publicKeysHeldBy(
            Protos.device(request.getHolder()),
            request.getPageToken(),
            Protos.pageSize(request.getPageSize())));
  }

  static NewC2KeyResponse newC2Key(CallerService ops, NewC2KeyRequest request) {
    ops.newC2Key();
    return NewC2KeyResponse.newBuilder().setPublicKey(Protos.bytes(ops.c2PublicKey())).build();
  }

  static GetC2PublicKeyResponse getC2PublicKey(CallerService ops, GetC2PublicKeyRequest request) {
    return GetC2PublicKeyResponse.newBuilder()
        .setPublicKey(Protos.bytes(ops.c2PublicKey()))
        .build();
  }

  static ProtectMessageResponse protectMessage(CallerService ops, ProtectMessageRequest request) {
    return ProtectMessageResponse.newBuilder()
        .setProtectedMessage(
            Protos.bytes(
                ops.protectMessage(request.getTopic(), request.getPayload().toByteArray())))
        .build();
  }

  static UnprotectMessageResponse unprotectMessage(
      CallerService ops, UnprotectMessageRequest request) {
    UnprotectedMessage opened =
        ops.unprotectMessage(request.getTopic(), request.getProtectedMessage().toByteArray());
    UnprotectMessageResponse.Builder response =
        UnprotectMessageResponse.newBuilder().setPayload(Protos.bytes(opened.payload()));
    opened.senderId().ifPresent(response::setSenderId);
    return response.build();
  }
}
