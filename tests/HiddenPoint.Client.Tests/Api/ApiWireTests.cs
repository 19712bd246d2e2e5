using System.Text.Json;
using HiddenPoint.Client.Api.Contract;

namespace HiddenPoint.Client.Tests.Api;

/// <summary>The values of the local API as a front end in another language reads them (docs/client-api.md §4).</summary>
public sealed class ApiWireTests
{
    private static readonly JsonSerializerOptions Options = ApiWire.SerializerOptions(new JsonSerializerOptions());

    [Fact]
    public void An_event_is_camel_case_with_kebab_case_enums_and_leaves_out_what_its_type_does_not_carry()
    {
        var delivered = new ApiEvent
        {
            Type = ApiEventType.DeliveryStateChanged,
            Contact = "x.hpc",
            Id = "00112233445566778899aabbccddeeff",
            Sequence = 7,
            State = ApiDeliveryState.Delivered,
            Reason = ApiFailureReason.None,
        };

        Assert.Equal(
            """{"type":"delivery-state-changed","contact":"x.hpc","id":"00112233445566778899aabbccddeeff","sequence":7,"state":"delivered","reason":"none"}""",
            JsonSerializer.Serialize(delivered, Options));
    }

    [Fact]
    public void Every_wire_enum_reads_back_from_its_lower_case_name_and_refuses_numbers()
    {
        Assert.Equal(ApiConversationStatus.WaitingForContact, JsonSerializer.Deserialize<ApiConversationStatus>("\"waiting-for-contact\"", Options));
        Assert.Equal(ApiWaitReason.RequestRateLimited, JsonSerializer.Deserialize<ApiWaitReason>("\"request-rate-limited\"", Options));
        Assert.Equal(ApiContactResult.NotARequest, JsonSerializer.Deserialize<ApiContactResult>("\"not-a-request\"", Options));
        Assert.Equal(ApiFailureReason.RecipientUnreachable, JsonSerializer.Deserialize<ApiFailureReason>("\"recipient-unreachable\"", Options));
        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<ApiDeliveryState>("3", Options));
    }

    [Fact]
    public void A_history_page_without_an_older_cursor_leaves_it_out()
    {
        var page = new ApiHistoryPage(
            [new ApiHistoryEntry(5, ApiDirection.Incoming, "00112233445566778899aabbccddeeff", 1, "hi", DateTimeOffset.UnixEpoch, null, ApiDeliveryState.Delivered, ApiFailureReason.None, false)],
            null);

        Assert.Equal(
            """{"entries":[{"position":5,"direction":"incoming","id":"00112233445566778899aabbccddeeff","sequence":1,"text":"hi","storedAt":"1970-01-01T00:00:00+00:00","state":"delivered","reason":"none","damaged":false}]}""",
            JsonSerializer.Serialize(page, Options));
    }
}
