/*
 * libsrtp3-style API on top of Debian's libsrtp2 (libsrtp2-dev).
 *
 * mediasoup's worker is written against a libsrtp 3 fork that is not packaged
 * in Debian. The parts of its API the worker uses differ from libsrtp2 in:
 *
 *   - srtp_protect/srtp_unprotect(_rtcp) take (in, in_len, out, size_t*
 *     out_len [, mki_index]) instead of working in place on (buf, int* len);
 *   - srtp_remove_stream() is called srtp_stream_remove();
 *   - two extra error codes (buffer_small, cryptex_err);
 *   - srtp_policy_t is an opaque handle built with srtp_policy_create(),
 *     srtp_policy_set_ssrc/_profile/_allow_repeat_tx/_window_size(),
 *     srtp_policy_add_key() and released with srtp_policy_destroy().
 *
 * Everything else (srtp_init, srtp_create's session type, events, profiles,
 * SRTP_MAX_TRAILER_LEN, ...) is taken unchanged from libsrtp2. Only a single
 * master key without MKI is supported, which is all mediasoup uses.
 */
#ifndef CONFIDANTE_SRTP3_ADAPTER_H
#define CONFIDANTE_SRTP3_ADAPTER_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* libsrtp2 names its policy struct srtp_policy_t; libsrtp3 uses that name for
 * the opaque handle, so the libsrtp2 struct is renamed while its header is
 * read. Function linkage is unaffected (C symbols carry no parameter types). */
#define srtp_policy_t confidante_srtp2_policy_t
#include <srtp2/srtp.h>
#undef srtp_policy_t

#ifdef __cplusplus
extern "C" {
#endif

/* Error codes that libsrtp3 added after srtp_err_status_pkt_idx_adv (27). */
#define srtp_err_status_buffer_small ((srtp_err_status_t)28)
#define srtp_err_status_cryptex_err ((srtp_err_status_t)29)

/* libsrtp2's srtp_protect_rtcp() writes the SRTCP index word (4 bytes) on top
 * of what SRTP_MAX_TRAILER_LEN accounts for. */
#define CONFIDANTE_SRTP3_MAX_SRTCP_TRAILER_LEN (SRTP_MAX_TRAILER_LEN + 4)

struct confidante_srtp3_policy
{
	confidante_srtp2_policy_t policy;
	unsigned char key[SRTP_MAX_KEY_LEN];
};

typedef struct confidante_srtp3_policy* srtp_policy_t;

static inline srtp_err_status_t confidante_srtp3_policy_create(srtp_policy_t* policy)
{
	srtp_policy_t created;

	if (policy == NULL)
		return srtp_err_status_bad_param;

	created = (srtp_policy_t)calloc(1, sizeof(*created));

	if (created == NULL)
		return srtp_err_status_alloc_fail;

	created->policy.key  = created->key;
	created->policy.next = NULL;
	*policy              = created;

	return srtp_err_status_ok;
}

static inline srtp_err_status_t confidante_srtp3_policy_destroy(srtp_policy_t policy)
{
	if (policy == NULL)
		return srtp_err_status_ok;

	/* Do not leave key material behind in freed memory. */
	memset(policy->key, 0, sizeof(policy->key));
	free(policy);

	return srtp_err_status_ok;
}

static inline srtp_err_status_t confidante_srtp3_policy_set_ssrc(srtp_policy_t policy, srtp_ssrc_t ssrc)
{
	if (policy == NULL)
		return srtp_err_status_bad_param;

	policy->policy.ssrc = ssrc;

	return srtp_err_status_ok;
}

static inline srtp_err_status_t confidante_srtp3_policy_set_profile(
  srtp_policy_t policy, srtp_profile_t profile)
{
	srtp_err_status_t err;

	if (policy == NULL)
		return srtp_err_status_bad_param;

	err = srtp_crypto_policy_set_from_profile_for_rtp(&policy->policy.rtp, profile);

	if (err != srtp_err_status_ok)
		return err;

	return srtp_crypto_policy_set_from_profile_for_rtcp(&policy->policy.rtcp, profile);
}

static inline srtp_err_status_t confidante_srtp3_policy_add_key(
  srtp_policy_t policy,
  const uint8_t* key,
  size_t keyLen,
  const uint8_t* salt,
  size_t saltLen,
  const uint8_t* mki,
  size_t mkiLen)
{
	if (policy == NULL || key == NULL || (saltLen > 0 && salt == NULL))
		return srtp_err_status_bad_param;

	/* libsrtp2 without MKI takes a single key||salt buffer. */
	if (mki != NULL || mkiLen != 0)
		return srtp_err_status_bad_param;

	if (keyLen + saltLen > sizeof(policy->key))
		return srtp_err_status_bad_param;

	memcpy(policy->key, key, keyLen);

	if (saltLen > 0)
		memcpy(policy->key + keyLen, salt, saltLen);

	policy->policy.key = policy->key;

	return srtp_err_status_ok;
}

static inline srtp_err_status_t confidante_srtp3_policy_set_allow_repeat_tx(
  srtp_policy_t policy, bool allow)
{
	if (policy == NULL)
		return srtp_err_status_bad_param;

	policy->policy.allow_repeat_tx = allow ? 1 : 0;

	return srtp_err_status_ok;
}

static inline srtp_err_status_t confidante_srtp3_policy_set_window_size(
  srtp_policy_t policy, size_t windowSize)
{
	if (policy == NULL)
		return srtp_err_status_bad_param;

	policy->policy.window_size = (unsigned long)windowSize;

	return srtp_err_status_ok;
}

static inline srtp_err_status_t confidante_srtp3_create(srtp_t* session, const srtp_policy_t policy)
{
	if (policy == NULL)
		return srtp_err_status_bad_param;

	return srtp_create(session, &policy->policy);
}

static inline srtp_err_status_t confidante_srtp3_stream_remove(srtp_t session, uint32_t ssrc)
{
	return srtp_remove_stream(session, ssrc);
}

/* Copies the input into the output buffer (unless they are the same buffer)
 * so that libsrtp2's in-place functions can work on it. */
static inline srtp_err_status_t confidante_srtp3_stage(
  const uint8_t* in, size_t inLen, uint8_t* out, size_t outCapacity, size_t extra, int* len)
{
	if (in == NULL || out == NULL || inLen > (size_t)INT_MAX - extra)
		return srtp_err_status_bad_param;

	if (outCapacity < inLen + extra)
		return srtp_err_status_buffer_small;

	if (in != out)
		memmove(out, in, inLen);

	*len = (int)inLen;

	return srtp_err_status_ok;
}

static inline srtp_err_status_t confidante_srtp3_protect(
  srtp_t ctx, const uint8_t* rtp, size_t rtpLen, uint8_t* srtp, size_t* srtpLen, size_t mkiIndex)
{
	srtp_err_status_t err;
	int len;

	if (srtpLen == NULL)
		return srtp_err_status_bad_param;

	err = confidante_srtp3_stage(rtp, rtpLen, srtp, *srtpLen, SRTP_MAX_TRAILER_LEN, &len);

	if (err != srtp_err_status_ok)
		return err;

	if (mkiIndex == 0)
		err = srtp_protect(ctx, srtp, &len);
	else
		err = srtp_protect_mki(ctx, srtp, &len, 1, (unsigned int)mkiIndex);

	if (err == srtp_err_status_ok)
		*srtpLen = (size_t)len;

	return err;
}

static inline srtp_err_status_t confidante_srtp3_unprotect(
  srtp_t ctx, const uint8_t* srtp, size_t srtpLen, uint8_t* rtp, size_t* rtpLen)
{
	srtp_err_status_t err;
	int len;

	if (rtpLen == NULL)
		return srtp_err_status_bad_param;

	err = confidante_srtp3_stage(srtp, srtpLen, rtp, *rtpLen, 0, &len);

	if (err != srtp_err_status_ok)
		return err;

	err = srtp_unprotect(ctx, rtp, &len);

	if (err == srtp_err_status_ok)
		*rtpLen = (size_t)len;

	return err;
}

static inline srtp_err_status_t confidante_srtp3_protect_rtcp(
  srtp_t ctx, const uint8_t* rtcp, size_t rtcpLen, uint8_t* srtcp, size_t* srtcpLen, size_t mkiIndex)
{
	srtp_err_status_t err;
	int len;

	if (srtcpLen == NULL)
		return srtp_err_status_bad_param;

	/* SRTCP adds the E flag/index word on top of the auth tag and MKI. */
	err = confidante_srtp3_stage(
	  rtcp, rtcpLen, srtcp, *srtcpLen, CONFIDANTE_SRTP3_MAX_SRTCP_TRAILER_LEN, &len);

	if (err != srtp_err_status_ok)
		return err;

	if (mkiIndex == 0)
		err = srtp_protect_rtcp(ctx, srtcp, &len);
	else
		err = srtp_protect_rtcp_mki(ctx, srtcp, &len, 1, (unsigned int)mkiIndex);

	if (err == srtp_err_status_ok)
		*srtcpLen = (size_t)len;

	return err;
}

static inline srtp_err_status_t confidante_srtp3_unprotect_rtcp(
  srtp_t ctx, const uint8_t* srtcp, size_t srtcpLen, uint8_t* rtcp, size_t* rtcpLen)
{
	srtp_err_status_t err;
	int len;

	if (rtcpLen == NULL)
		return srtp_err_status_bad_param;

	err = confidante_srtp3_stage(srtcp, srtcpLen, rtcp, *rtcpLen, 0, &len);

	if (err != srtp_err_status_ok)
		return err;

	err = srtp_unprotect_rtcp(ctx, rtcp, &len);

	if (err == srtp_err_status_ok)
		*rtcpLen = (size_t)len;

	return err;
}

#ifdef __cplusplus
}
#endif

/* From here on, the libsrtp3 names refer to the adapters above. */
#define srtp_policy_create confidante_srtp3_policy_create
#define srtp_policy_destroy confidante_srtp3_policy_destroy
#define srtp_policy_set_ssrc confidante_srtp3_policy_set_ssrc
#define srtp_policy_set_profile confidante_srtp3_policy_set_profile
#define srtp_policy_add_key confidante_srtp3_policy_add_key
#define srtp_policy_set_allow_repeat_tx confidante_srtp3_policy_set_allow_repeat_tx
#define srtp_policy_set_window_size confidante_srtp3_policy_set_window_size
#define srtp_create confidante_srtp3_create
#define srtp_stream_remove confidante_srtp3_stream_remove
#define srtp_protect confidante_srtp3_protect
#define srtp_unprotect confidante_srtp3_unprotect
#define srtp_protect_rtcp confidante_srtp3_protect_rtcp
#define srtp_unprotect_rtcp confidante_srtp3_unprotect_rtcp

#endif
